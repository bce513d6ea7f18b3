package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.sophia.embedding.Embedder;
import ai.sophia.embedding.OnnxEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Page search on both index backends, and the page documents of the embedded one. */
@ParameterizedClass
@EnumSource(IndexBackend.class)
class PageSearchTest {
  private static final String MODEL = "all-minilm-l6-v2";
  private static final Embedder EMBEDDER = OnnxEmbedder.create(MODEL);

  @Parameter IndexBackend backend;
  @TempDir Path dataDir;

  private static List<Chunk> document(String url, String title, String... texts) {
    List<float[]> vectors = EMBEDDER.embedPassages(List.of(texts));
    List<Chunk> chunks = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      chunks.add(
          new Chunk(
              LuceneDocumentIndex.chunkId(url, i),
              DocumentIndex.DOCUMENTS,
              url,
              title,
              i,
              texts[i],
              vectors.get(i)));
    }
    return chunks;
  }

  private static final List<Chunk> TIMEOUT =
      document(
          "https://x.test/timeout",
          "Client connection defaults",
          "statement_timeout aborts any statement that takes more than the specified time.",
          "lock_timeout aborts a statement that waits longer than this for a lock.");
  private static final List<Chunk> BREAD =
      document(
          "https://x.test/bread",
          "Baking",
          "Knead the dough with flour, water, salt and yeast, then let it rise.");

  @Test
  void searchPages_question_ranksTheAnsweringPageFirstWithItsPassagesBestFirst() {
    try (DocumentIndex index = backend.open(dataDir, MODEL)) {
      index.replace(TIMEOUT);
      index.replace(BREAD);
      String query = "abort a statement waiting too long for a lock";

      List<PageHit> pages =
          index.searchPages(
              DocumentIndex.DOCUMENTS, Set.of(), query, EMBEDDER.embedQuery(query), 5);

      assertThat(pages).extracting(PageHit::url).startsWith("https://x.test/timeout");
      PageHit best = pages.getFirst();
      assertThat(best.score()).isBetween(0.0, 1.0);
      assertThat(best.signals().pageBm25()).isPositive();
      // abort, statement, wait, lock of abort, statement, wait, too, long, lock: most of the idf
      assertThat(best.signals().termCoverage()).isBetween(0.4, 1.0);
      assertThat(pages.getLast().signals().termCoverage()).isLessThan(0.1);
      assertThat(best.passages()).hasSize(2);
      assertThat(best.signals().passages()).isEqualTo(2);
      assertThat(best.signals().secondCosine()).isLessThanOrEqualTo(best.signals().cosine());
      assertThat(best.signals().softCosine()).isGreaterThanOrEqualTo(best.signals().cosine());
      assertThat(best.signals().passageBm25TopTwo())
          .isLessThanOrEqualTo(best.signals().passageBm25());
      assertThat(best.passages().getFirst().chunk().text()).startsWith("lock_timeout");
      // the page document is not a chunk
      assertThat(index.count(DocumentIndex.DOCUMENTS)).isEqualTo(3);
    }
  }

  @Test
  void searchPages_withinUrls_searchesOnlyThosePages() {
    try (DocumentIndex index = backend.open(dataDir, MODEL)) {
      index.replace(TIMEOUT);
      index.replace(BREAD);
      String query = "statement timeout";

      List<PageHit> pages =
          index.searchPages(
              DocumentIndex.DOCUMENTS,
              Set.of("https://x.test/bread"),
              query,
              EMBEDDER.embedQuery(query),
              5);

      assertThat(pages).extracting(PageHit::url).containsExactly("https://x.test/bread");
    }
  }

  @Test
  void open_indexWrittenBeforePageDocumentsAndFolders_addsThemFromTheStoredChunks()
      throws Exception {
    assumeTrue(backend == IndexBackend.lucene, "an embedded index's upgrade");
    // An index as Sophia wrote it before page documents existed: chunks only.
    try (var directory = FSDirectory.open(dataDir.resolve("index"));
        var writer = new IndexWriter(directory, new IndexWriterConfig(new EnglishAnalyzer()))) {
      for (Chunk c : TIMEOUT) {
        Document d = new Document();
        d.add(new StringField(LuceneDocumentIndex.ID, c.id(), Field.Store.YES));
        d.add(
            new StringField(
                LuceneDocumentIndex.KEY,
                LuceneDocumentIndex.key(c.collection(), c.url()),
                Field.Store.NO));
        d.add(new StringField(LuceneDocumentIndex.COLLECTION, c.collection(), Field.Store.YES));
        d.add(new StringField(LuceneDocumentIndex.URL, c.url(), Field.Store.YES));
        d.add(new TextField(LuceneDocumentIndex.TITLE, c.title(), Field.Store.YES));
        d.add(new TextField(LuceneDocumentIndex.TEXT, c.text(), Field.Store.YES));
        d.add(new IntField(LuceneDocumentIndex.POSITION, c.position(), Field.Store.YES));
        d.add(
            new KnnFloatVectorField(
                LuceneDocumentIndex.VECTOR, c.vector(), VectorSimilarityFunction.DOT_PRODUCT));
        writer.addDocument(d);
      }
      writer.setLiveCommitData(Map.of("embedding_model", MODEL).entrySet());
      writer.commit();
    }

    for (int open = 0; open < 2; open++) { // the second open must not add them again
      try (LuceneDocumentIndex index = LuceneDocumentIndex.open(dataDir, MODEL)) {
        String query = "statement_timeout lock_timeout";
        List<PageHit> pages =
            index.searchPages(
                DocumentIndex.DOCUMENTS, Set.of(), query, EMBEDDER.embedQuery(query), 5);

        assertThat(pages).singleElement().satisfies(p -> assertThat(p.passages()).hasSize(2));
        assertThat(pages.getFirst().signals().pageBm25()).isPositive();
        assertThat(index.count(DocumentIndex.DOCUMENTS)).isEqualTo(2);
        // Its chunks got their folders: a search under one finds them, under another none.
        String folder =
            TIMEOUT.getFirst().url().substring(0, TIMEOUT.getFirst().url().lastIndexOf('/') + 1);
        assertThat(
                index.searchUnder(
                    DocumentIndex.DOCUMENTS, folder, query, EMBEDDER.embedQuery(query), 5))
            .hasSize(2);
        assertThat(
                index.searchUnder(
                    DocumentIndex.DOCUMENTS,
                    "https://elsewhere.test/",
                    query,
                    EMBEDDER.embedQuery(query),
                    5))
            .isEmpty();
      }
    }
  }

  @Test
  void join_overlappingPassages_keepsTheRepeatedSentenceOnce() {
    assumeTrue(backend == IndexBackend.lucene, "no index involved: once is enough");
    String joined =
        PageDocuments.join(
            List.of("First sentence. Second sentence.", "Second sentence. Third sentence."));

    assertThat(joined).isEqualTo("First sentence. Second sentence.\n\nThird sentence.");
  }
}
