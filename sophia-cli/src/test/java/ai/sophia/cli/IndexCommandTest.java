package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.memory.Chunk;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.ElasticsearchDocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.PageFusion;
import ai.sophia.memory.TestElasticsearch;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sophia index migrate}: the embedded index copied into a real Elasticsearch. */
class IndexCommandTest {
  private static final String MODEL = "all-minilm-l6-v2";
  private static final OnnxEmbedder EMBEDDER = OnnxEmbedder.create(MODEL);

  @TempDir Path dir;

  private Map<String, String> env(String prefix) {
    Map<String, String> env = new HashMap<>();
    env.put("SOPHIA_DATA_DIR", dir.toString());
    env.put("SOPHIA_EMBEDDING_MODEL", MODEL);
    env.put("SOPHIA_INDEX_ELASTICSEARCH_URLS", TestElasticsearch.get().url());
    env.put("SOPHIA_INDEX_ELASTICSEARCH_INDEX_PREFIX", prefix);
    return env;
  }

  /** Documents in two collections in the embedded index; how many chunks in all. */
  private int ingest(int documents) {
    int chunks = 0;
    try (LuceneDocumentIndex index = LuceneDocumentIndex.open(dir, MODEL)) {
      for (int d = 0; d < documents; d++) {
        String url = "https://x.test/page-" + d;
        List<String> texts =
            List.of("Page " + d + " is about the number " + d + ".", "More on " + d + ".");
        List<float[]> vectors = EMBEDDER.embedPassages(texts);
        List<Chunk> own = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
          String collection = d % 3 == 0 ? DocumentIndex.RESEARCH_DATA : DocumentIndex.DOCUMENTS;
          own.add(
              new Chunk(
                  LuceneDocumentIndex.chunkId(url, i),
                  collection,
                  url,
                  "Page " + d,
                  i,
                  texts.get(i),
                  vectors.get(i)));
        }
        index.replace(own);
        chunks += own.size();
      }
    }
    return chunks;
  }

  private static ElasticsearchDocumentIndex target(String prefix) {
    return ElasticsearchDocumentIndex.open(
        List.of(TestElasticsearch.get().url()),
        "",
        Optional.empty(),
        Optional.empty(),
        prefix,
        Duration.ofSeconds(30),
        MODEL,
        PageFusion.standard());
  }

  @Test
  void migrate_toElasticsearch_copiesEveryChunkVerifiesCountsAndSearchFindsThem() {
    int chunks = ingest(120);
    String prefix = TestElasticsearch.get().prefix("migrate");

    CliRun run = CliRun.of(env(prefix), "index", "migrate", "--to", "elasticsearch");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("migrated " + chunks + " chunks").contains("counts match");
    assertThat(run.err()).contains("migrating [").contains("120/120");
    assertThat(dir.resolve(IndexCommand.Migrate.CHECKPOINT)).doesNotExist();
    try (ElasticsearchDocumentIndex es = target(prefix);
        LuceneDocumentIndex lucene = LuceneDocumentIndex.open(dir, MODEL)) {
      assertThat(es.count(DocumentIndex.DOCUMENTS) + es.count(DocumentIndex.RESEARCH_DATA))
          .isEqualTo(chunks);
      assertThat(es.searchText(DocumentIndex.DOCUMENTS, "43", 1))
          .singleElement()
          .satisfies(h -> assertThat(h.chunk().url()).isEqualTo("https://x.test/page-43"));
      // The copy ranks as the original: same passages, same order.
      String query = "what is page 43 about";
      float[] vector = EMBEDDER.embedQuery(query);
      assertThat(es.search(DocumentIndex.DOCUMENTS, query, vector, 5))
          .extracting(h -> h.chunk().id())
          .containsExactlyElementsOf(
              lucene.search(DocumentIndex.DOCUMENTS, query, vector, 5).stream()
                  .map(h -> h.chunk().id())
                  .toList());
      assertThat(es.search(DocumentIndex.DOCUMENTS, query, vector, 1).getFirst().chunk().vector())
          .containsExactly(
              lucene.search(DocumentIndex.DOCUMENTS, query, vector, 1).getFirst().chunk().vector());
    }
  }

  @Test
  void migrate_afterAnInterruption_resumesAfterTheCheckpointAndEndsComplete() throws Exception {
    int chunks = ingest(60);
    String prefix = TestElasticsearch.get().prefix("resume");
    // As an interrupted run leaves it: the first documents copied, the checkpoint at the last.
    String last;
    try (LuceneDocumentIndex source = LuceneDocumentIndex.open(dir, MODEL);
        ElasticsearchDocumentIndex es = target(prefix)) {
      List<String> first = source.documentKeys().stream().limit(25).toList();
      es.replace(source.chunksOf(first));
      last = first.getLast();
    }
    Files.writeString(dir.resolve(IndexCommand.Migrate.CHECKPOINT), last);

    CliRun run = CliRun.of(env(prefix), "index", "migrate", "--to", "elasticsearch");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("resuming after 25 of 60 documents");
    assertThat(run.out()).contains("migrated " + chunks + " chunks");
  }

  @Test
  void migrate_unknownTarget_failsAsUsageNamingTheOnlyTarget() {
    CliRun run = CliRun.of(env("x-"), "index", "migrate", "--to", "solr");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--to is 'solr' but the only target is elasticsearch");
    assertThat(CliRun.of(env("x-"), "index", "migrate").exitCode()).isEqualTo(2);
  }

  @Test
  void migrate_elasticsearchUnreachable_failsWithOneClearLine() throws Exception {
    ingest(1);
    Map<String, String> env = env("unreachable-");
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    env.put("SOPHIA_INDEX_ELASTICSEARCH_URLS", "http://127.0.0.1:" + port);

    CliRun run = CliRun.of(env, "index", "migrate", "--to", "elasticsearch");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("sophia: cannot open the Elasticsearch index unreachable-chunks")
        .doesNotContain("\tat ");
  }
}
