package ai.sophia.ingest;

import ai.sophia.web.ExtractedPage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Splits extracted text into passages of about {@code min}..{@code max} characters (800..1200 by
 * default) for indexing. Passages end at paragraph breaks when they can, else at sentence ends, and
 * only cut inside a sentence longer than {@code max}. Each passage after the first repeats up to
 * {@code overlap} characters of whole sentences from the one before, so a fact on a border is found
 * in both. Deterministic: the same text always gives the same passages.
 */
public final class Chunker {
  private static final Pattern PARAGRAPH = Pattern.compile("\\n\\s*\\n");
  private static final Pattern SENTENCE_END =
      Pattern.compile("(?<=[.!?][\"')\\]]?)\\s+(?=[\"'(\\[]?[\\p{Lu}\\d])");

  private final int min;
  private final int max;
  private final int overlap;

  private Chunker(int min, int max, int overlap) {
    if (min < 1 || max < min || overlap < 0 || overlap >= min) {
      throw new IllegalArgumentException(
          "need 1 <= min <= max and 0 <= overlap < min, got " + min + ", " + max + ", " + overlap);
    }
    this.min = min;
    this.max = max;
    this.overlap = overlap;
  }

  /** Passages of 800..1200 characters with up to 150 characters of overlap. */
  public static Chunker create() {
    return new Chunker(800, 1200, 150);
  }

  /** A chunker with other bounds (tests, and callers with other model limits). */
  public static Chunker create(int min, int max, int overlap) {
    return new Chunker(min, max, overlap);
  }

  /** A passage of a page: its order in the page, the page's title, and the text. */
  public record Passage(int position, String title, String text) {
    public Passage {
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(text, "text");
    }

    /**
     * What is embedded for the passage: the page's title, then the text. A passage often never
     * names its subject ("Setting it to zero disables it"); the title does (BENCHMARKS.md).
     */
    public String embeddingText() {
      return title.isBlank() ? text : title + "\n\n" + text;
    }
  }

  public List<Passage> chunk(ExtractedPage page) {
    Objects.requireNonNull(page, "page");
    return chunk(page.title(), page.text());
  }

  /** The passages of {@code text}, each carrying {@code title}; none for blank text. */
  public List<Passage> chunk(String title, String text) {
    Objects.requireNonNull(title, "title");
    List<String> texts = new ArrayList<>();
    List<Piece> current = new ArrayList<>();
    int length = 0;
    boolean fresh = false; // whether current holds anything beyond the overlap
    for (Piece piece : pieces(Objects.requireNonNull(text, "text"))) {
      int added = (current.isEmpty() ? 0 : piece.separatorLength()) + piece.text().length();
      boolean breakHere = piece.startsParagraph() && length >= min;
      if (fresh && (breakHere || length + added > max)) {
        texts.add(join(current));
        current = overlapOf(current, piece);
        length = join(current).length();
        fresh = false;
        added = (current.isEmpty() ? 0 : piece.separatorLength()) + piece.text().length();
      }
      current.add(piece);
      length += added;
      fresh = true;
    }
    if (fresh) {
      texts.add(join(current));
    }
    List<Passage> passages = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      passages.add(new Passage(i, title, texts.get(i)));
    }
    return passages;
  }

  /** A sentence (or a cut of an overlong one), and whether a paragraph starts with it. */
  private record Piece(String text, boolean startsParagraph) {
    int separatorLength() {
      return startsParagraph ? 2 : 1;
    }
  }

  private List<Piece> pieces(String text) {
    List<Piece> out = new ArrayList<>();
    for (String paragraph : PARAGRAPH.split(text.strip())) {
      String p = paragraph.strip().replaceAll("[ \\t]+", " ");
      if (p.isEmpty()) {
        continue;
      }
      boolean first = true;
      for (String sentence : SENTENCE_END.split(p)) {
        for (String cut : cut(sentence.strip())) {
          out.add(new Piece(cut, first));
          first = false;
        }
      }
    }
    return out;
  }

  /** Cuts a sentence longer than {@code max} at whitespace (or hard, if it has none). */
  private List<String> cut(String sentence) {
    List<String> out = new ArrayList<>();
    String rest = sentence;
    while (rest.length() > max) {
      int at = rest.lastIndexOf(' ', max);
      if (at < max / 2) {
        at = max;
      }
      out.add(rest.substring(0, at).strip());
      rest = rest.substring(at).strip();
    }
    if (!rest.isEmpty()) {
      out.add(rest);
    }
    return out;
  }

  /** The trailing whole sentences of {@code previous} that fit in the overlap and beside next. */
  private List<Piece> overlapOf(List<Piece> previous, Piece next) {
    List<Piece> tail = new ArrayList<>();
    int length = 0;
    for (int i = previous.size() - 1; i >= 0; i--) {
      Piece piece = previous.get(i);
      int added = piece.text().length() + 1;
      if (length + added > overlap || length + added + next.text().length() + 2 > max) {
        break;
      }
      tail.addFirst(piece);
      length += added;
    }
    if (!tail.isEmpty()) {
      // The overlap opens the passage; it is not a paragraph start inside it.
      tail.set(0, new Piece(tail.getFirst().text(), false));
    }
    return tail;
  }

  private static String join(List<Piece> pieces) {
    StringBuilder out = new StringBuilder();
    for (Piece piece : pieces) {
      if (!out.isEmpty()) {
        out.append(piece.startsParagraph() ? "\n\n" : " ");
      }
      out.append(piece.text());
    }
    return out.toString();
  }
}
