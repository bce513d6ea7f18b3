package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.health.HealthReport;
import ai.sophia.health.HealthStatus;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.memory.TestElasticsearch;
import ai.sophia.research.Researcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Sophia nodes (two data directories, one JVM) with {@code index.backend: elasticsearch} on one
 * real Elasticsearch: what one ingests, the other finds at once; neither writes an embedded index.
 */
class ElasticsearchSophiaTest {
  @TempDir Path dir;

  private Map<String, String> env(String node, String prefix) {
    Map<String, String> env = new HashMap<>();
    env.put("SOPHIA_DATA_DIR", dir.resolve(node).toString());
    env.put("SOPHIA_SERVER_PORT", "0");
    env.put("SOPHIA_INDEX_BACKEND", "elasticsearch");
    env.put("SOPHIA_INDEX_ELASTICSEARCH_URLS", TestElasticsearch.get().url());
    env.put("SOPHIA_INDEX_ELASTICSEARCH_INDEX_PREFIX", prefix);
    return env;
  }

  private static Sophia open(Map<String, String> env) {
    return Sophia.open(ConfigLoader.create(env).load(Optional.empty()), env);
  }

  @Test
  void twoNodes_ingestOnOne_theOtherFindsItAtOnceAndReportsTheCluster() throws Exception {
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(
        docs.resolve("mvcc.md"),
        "# MVCC\n\nPostgreSQL keeps several versions of a row: a writer creates a new version"
            + " and readers keep reading the old one, so readers never wait for writers. VACUUM"
            + " later removes the versions no transaction can see any more.\n");
    Files.writeString(
        docs.resolve("bread.md"),
        "# Bread\n\nKnead the dough with flour, water, salt and yeast, then let it rise.\n");
    String prefix = TestElasticsearch.get().prefix("nodes");
    try (Sophia a = open(env("a", prefix));
        Sophia b = open(env("b", prefix))) {
      assertThat(b.researcher().searchMemory("why do readers not wait for writers", 5)).isEmpty();

      a.ingestor().ingest(docs.toString(), false, IngestProgress.none());

      List<Researcher.MemoryHit> hits =
          b.researcher().searchMemory("why do readers not wait for writers", 5);
      assertThat(hits).isNotEmpty();
      assertThat(hits.getFirst().url()).endsWith("mvcc.md");
      assertThat(hits.getFirst().text()).contains("readers never wait for writers");

      HealthReport.ComponentHealth index =
          b.health().run().components().stream()
              .filter(c -> c.name().equals("index"))
              .findFirst()
              .orElseThrow();
      assertThat(index.status()).isEqualTo(HealthStatus.State.up);
      assertThat(index.detail()).contains("elasticsearch cluster").contains("green");
    }
    assertThat(dir.resolve("a").resolve("index")).doesNotExist();
    assertThat(dir.resolve("b").resolve("index")).doesNotExist();
  }
}
