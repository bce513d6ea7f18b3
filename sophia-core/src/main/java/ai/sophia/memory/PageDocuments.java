package ai.sophia.memory;

import static ai.sophia.memory.LuceneDocumentIndex.KEY;
import static ai.sophia.memory.LuceneDocumentIndex.PAGE_COLLECTION;
import static ai.sophia.memory.LuceneDocumentIndex.PAGE_TEXT;
import static ai.sophia.memory.LuceneDocumentIndex.PAGE_TITLE;
import static ai.sophia.memory.LuceneDocumentIndex.URL;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;

/**
 * The page document written beside a document's chunks: its whole text and title for page-level
 * BM25, which ranks a page on all its words at once (a passage sees only its own 1,000 characters).
 * It shares the chunks' key, so replacing or deleting a document replaces or deletes it too.
 */
final class PageDocuments {
  // Chunks repeat up to 150 characters of the previous one (Chunker); a longer match is text.
  private static final int MAX_OVERLAP = 400;

  private PageDocuments() {}

  /** The page document of {@code chunks}, all of one document (key). */
  static List<Field> fields(String key, List<Chunk> chunks) {
    Chunk first = chunks.stream().min(Comparator.comparingInt(Chunk::position)).orElseThrow();
    return List.of(
        new StringField(KEY, key, Field.Store.NO),
        new StringField(PAGE_COLLECTION, first.collection(), Field.Store.YES),
        new StringField(URL, first.url(), Field.Store.YES),
        new TextField(PAGE_TITLE, first.title(), Field.Store.YES),
        new TextField(PAGE_TEXT, text(chunks), Field.Store.NO));
  }

  /** The whole text of a document from its chunks, in order, without their overlaps. */
  static String text(List<Chunk> chunks) {
    List<Chunk> ordered = new ArrayList<>(chunks);
    ordered.sort(Comparator.comparingInt(Chunk::position));
    return join(ordered.stream().map(Chunk::text).toList());
  }

  /** The texts one after another, each without the start it repeats of the one before. */
  static String join(List<String> texts) {
    StringBuilder out = new StringBuilder();
    String previous = "";
    for (String text : texts) {
      int repeated = overlap(previous, text);
      if (!out.isEmpty()) {
        out.append("\n\n");
      }
      out.append(text.substring(repeated).strip());
      previous = text;
    }
    return out.toString();
  }

  /** Length of the longest start of {@code next} that ends {@code previous}, within the bound. */
  private static int overlap(String previous, String next) {
    for (int n = Math.min(MAX_OVERLAP, Math.min(previous.length(), next.length())); n > 0; n--) {
      if (previous.endsWith(next.substring(0, n))) {
        return n;
      }
    }
    return 0;
  }
}
