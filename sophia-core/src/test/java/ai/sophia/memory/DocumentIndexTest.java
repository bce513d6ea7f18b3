package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.embedding.Embedder;
import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.error.StorageException;
import ai.sophia.health.HealthStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The search index's contract, on the embedded Lucene index and on Elasticsearch. */
@ParameterizedClass
@EnumSource(IndexBackend.class)
class DocumentIndexTest {
  private static final String MODEL = "bge-small-en-v1.5";
  private static final Embedder EMBEDDER = OnnxEmbedder.create(MODEL);

  @Parameter IndexBackend backend;
  @TempDir Path dataDir;
  private DocumentIndex index;

  @BeforeEach
  void open() {
    index = backend.open(dataDir, MODEL);
  }

  @AfterEach
  void close() {
    index.close();
  }

  /** Chunks of one document, embedded for real, positions in order. */
  private static List<Chunk> document(
      String collection, String url, String title, String... texts) {
    List<float[]> vectors = EMBEDDER.embedPassages(List.of(texts));
    List<Chunk> chunks = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      chunks.add(
          new Chunk(
              LuceneDocumentIndex.chunkId(url, i),
              collection,
              url,
              title,
              i,
              texts[i],
              vectors.get(i)));
    }
    return chunks;
  }

  private void indexSmallCorpus(String collection) {
    List<Chunk> all = new ArrayList<>();
    all.addAll(
        document(
            collection,
            "https://x.test/cars",
            "Looking after your car",
            "Cars need regular oil changes and tire rotations to keep running well."));
    all.addAll(
        document(
            collection,
            "https://x.test/bread",
            "Baking",
            "Knead the dough with flour, water, salt and yeast, then let it rise."));
    all.addAll(
        document(
            collection,
            "https://x.test/stocks",
            "Markets",
            "Stock prices fell sharply on Monday after the earnings report."));
    index.replace(all);
  }

  @Test
  void replace_documentsInTwoCollections_countsChunksPerCollection() {
    index.replace(document("documents", "https://x.test/a", "A", "one", "two", "three"));
    index.replace(document("research_data", "https://x.test/a", "A", "one"));
    assertThat(index.count("documents")).isEqualTo(3);
    assertThat(index.count("research_data")).isEqualTo(1);
    assertThat(index.count("agent_memories")).isZero();
  }

  @Test
  void replace_sameDocumentAgain_dropsItsOldChunks() {
    index.replace(
        document("documents", "https://x.test/a", "A", "old zebra text", "more zebra", "zebra"));
    index.replace(document("documents", "https://x.test/a", "A", "new giraffe text"));
    assertThat(index.count("documents")).isEqualTo(1);
    assertThat(index.searchText("documents", "zebra", 10)).isEmpty();
    assertThat(index.searchText("documents", "giraffe", 10)).hasSize(1);
  }

  @Test
  void delete_oneDocument_removesOnlyItsChunks() {
    index.replace(document("documents", "https://x.test/a", "A", "alpha text", "alpha more"));
    index.replace(document("documents", "https://x.test/b", "B", "beta text"));
    index.replace(document("research_data", "https://x.test/a", "A", "alpha copy"));
    index.delete("documents", "https://x.test/a");
    assertThat(index.count("documents")).isEqualTo(1);
    assertThat(index.count("research_data")).isEqualTo(1);
    assertThat(index.searchText("documents", "alpha", 10)).isEmpty();
  }

  @Test
  void search_synonymBm25CannotMatch_findsSemanticPassageFirst() {
    indexSmallCorpus("documents");
    String query = "automobile";
    assertThat(index.searchText("documents", query, 5)).isEmpty();

    List<ChunkHit> hits = index.search("documents", query, EMBEDDER.embedQuery(query), 5);
    assertThat(hits).isNotEmpty();
    assertThat(hits.get(0).chunk().url()).isEqualTo("https://x.test/cars");
    assertThat(hits.get(0).textScore()).isZero();
    assertThat(hits.get(0).vectorScore()).isGreaterThan(hits.get(1).vectorScore());
  }

  @Test
  void search_anyQuery_scoresInUnitIntervalBestFirst() {
    indexSmallCorpus("documents");
    String query = "oil changes for a car";
    List<ChunkHit> hits = index.search("documents", query, EMBEDDER.embedQuery(query), 3);
    assertThat(hits).hasSize(3);
    assertThat(hits).allSatisfy(h -> assertThat(h.score()).isBetween(0.0, 1.0));
    assertThat(hits)
        .extracting(ChunkHit::score)
        .isSortedAccordingTo((a, b) -> Double.compare(b, a));
    ChunkHit best = hits.get(0);
    assertThat(best.chunk().url()).isEqualTo("https://x.test/cars");
    assertThat(best.textScore()).isPositive();
    assertThat(best.chunk().title()).isEqualTo("Looking after your car");
    assertThat(best.chunk().id()).isEqualTo("https://x.test/cars#0");
    assertThat(best.chunk().vector()).hasSize(384);
  }

  @Test
  void search_sameTextInTwoCollections_returnsOnlyAskedCollection() {
    indexSmallCorpus("documents");
    index.replace(
        document("research_data", "https://y.test/cars", "Cars", "Cars need oil changes."));
    String query = "cars oil";
    List<ChunkHit> hits = index.search("research_data", query, EMBEDDER.embedQuery(query), 10);
    assertThat(hits).extracting(h -> h.chunk().collection()).containsOnly("research_data");
    assertThat(hits).hasSize(1);
    assertThat(index.searchText("research_data", query, 10)).hasSize(1);
  }

  @Test
  void searchText_matchingWords_bestScoreIsOneAndTitleCounts() {
    indexSmallCorpus("documents");
    List<ChunkHit> hits = index.searchText("documents", "baking dough", 5);
    assertThat(hits).hasSize(1);
    assertThat(hits.get(0).chunk().url()).isEqualTo("https://x.test/bread");
    assertThat(hits.get(0).score()).isEqualTo(1.0);
    assertThat(hits.get(0).vectorScore()).isZero();
  }

  @Test
  void searchText_querySyntaxInUserText_treatedAsPlainWords() {
    indexSmallCorpus("documents");
    assertThat(index.searchText("documents", "title:(stock OR \"prices", 5))
        .extracting(h -> h.chunk().url())
        .containsExactly("https://x.test/stocks");
    assertThat(index.searchText("documents", "the of and", 5)).isEmpty();
  }

  @Test
  void open_afterClose_keepsChunks() {
    indexSmallCorpus("documents");
    index.close();
    index = backend.open(dataDir, MODEL);
    assertThat(index.count("documents")).isEqualTo(3);
    assertThat(index.searchText("documents", "yeast", 1)).hasSize(1);
  }

  @Test
  void open_underOtherEmbeddingModel_refusesNamingBoth() {
    indexSmallCorpus("documents");
    index.close();
    assertThatThrownBy(() -> backend.open(dataDir, "all-minilm-l6-v2"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(MODEL)
        .hasMessageContaining("all-minilm-l6-v2");
    index = backend.open(dataDir, MODEL); // the refused open released the lock
    assertThat(index.count("documents")).isEqualTo(3);
  }

  @Test
  void healthCheck_openIndex_upWithChunkCount() throws Exception {
    indexSmallCorpus("documents");
    HealthStatus status = index.healthCheck().check();
    assertThat(status.state()).isEqualTo(HealthStatus.State.up);
    assertThat(status.facts()).containsEntry("chunks", 3L);
    index.close();
    assertThat(index.healthCheck().check().state()).isEqualTo(HealthStatus.State.down);
  }

  @Test
  void searchUnder_folderOrPrefix_findsExactlyTheUrlsThatStartWithIt() {
    List<Chunk> all = new ArrayList<>();
    for (String url :
        List.of("memory://a/run-1", "memory://a/sub/run-2", "memory://ab/run-3", "memory://b/a/")) {
      all.addAll(document("agent_memories", url, "note", "a note about " + url));
    }
    index.replace(all);
    float[] vector = EMBEDDER.embedQuery("a note");

    assertThat(index.searchUnder("agent_memories", "memory://a/", "note", vector, 10))
        .extracting(h -> h.chunk().url())
        .containsExactlyInAnyOrder("memory://a/run-1", "memory://a/sub/run-2");
    assertThat(index.searchUnder("agent_memories", "memory://a", "note", vector, 10))
        .extracting(h -> h.chunk().url())
        .containsExactlyInAnyOrder("memory://a/run-1", "memory://a/sub/run-2", "memory://ab/run-3");
    assertThat(index.searchUnder("agent_memories", "memory://b/a/", "note", vector, 10))
        .extracting(h -> h.chunk().url())
        .containsExactly("memory://b/a/");
    assertThat(index.searchUnder("agent_memories", "memory://c/", "note", vector, 10)).isEmpty();
  }

  @Test
  void replace_manyConcurrentWriters_eachReadsItsWriteAndAllSurviveReopening() throws Exception {
    float[] vector = EMBEDDER.embedPassages(List.of("a note")).getFirst();
    int writers = 64;
    List<Thread> threads = new ArrayList<>();
    java.util.Set<String> unseen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (int i = 0; i < writers; i++) {
      String url = "memory://scope/run-" + i;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    index.replace(
                        List.of(
                            new Chunk(
                                LuceneDocumentIndex.chunkId(url, 0),
                                "agent_memories",
                                url,
                                "note",
                                0,
                                "note " + url,
                                vector)));
                    // Read-your-writes holds for each writer, even when another one committed.
                    if (index.searchUnder("agent_memories", url, "note", vector, 1).isEmpty()) {
                      unseen.add(url);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(unseen).isEmpty();

    index.close();
    index = backend.open(dataDir, MODEL);

    assertThat(index.count("agent_memories")).isEqualTo(writers);
  }
}
