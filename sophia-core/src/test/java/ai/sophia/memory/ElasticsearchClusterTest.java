package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.health.HealthStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A two-node Elasticsearch cluster of its own (a master and data node, and a data node; the index
 * has a replica on each): with one node stopped, Sophia's searches and writes go on through the
 * other, and {@code /health} says the cluster lost a node.
 */
class ElasticsearchClusterTest {
  private static final String MODEL = "all-minilm-l6-v2";
  private final List<Path> homes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    for (Path home : homes) {
      stop(home);
      TestServers.run(List.of("rm", "-rf", home.toString()), home.getParent());
    }
  }

  private Path home(String name) throws Exception {
    Path home = Files.createTempDirectory("sophia-test-es-cluster-" + name + "-");
    Files.writeString(home.resolve("heartbeat"), "");
    TestServers.beat(home.resolve("heartbeat"), "test-es-cluster-heartbeat");
    homes.add(home);
    return home;
  }

  private static void stop(Path home) {
    Path pid = home.resolve("pid");
    if (Files.exists(pid)) {
      // Stops the node and waits for its process to end. The pid is read once: Elasticsearch
      // deletes its pid file early in its shutdown, while the process still serves HTTP.
      TestServers.run(
          List.of(
              "sh",
              "-c",
              "p=$(cat '"
                  + pid
                  + "') || exit 0; kill $p 2>/dev/null; while kill -0 $p 2>/dev/null; do sleep 0.2; done"),
          home);
    }
  }

  private static List<Chunk> note(String url, String text) {
    float[] vector = new float[384];
    vector[text.length() % 384] = 1;
    return List.of(new Chunk(url + "#0", DocumentIndex.DOCUMENTS, url, "Note", 0, text, vector));
  }

  @Test
  void searches_oneOfTwoNodesStopped_goOnThroughTheOther() throws Exception {
    Path esHome = TestElasticsearch.esHome();
    Path javaHome = TestElasticsearch.javaHome();
    int http1 = TestServers.freePort();
    int http2 = TestServers.freePort();
    int transport1 = TestServers.freePort();
    int transport2 = TestServers.freePort();
    String cluster = "sophia-test-cluster-" + ProcessHandle.current().pid();
    String seeds = "-Ediscovery.seed_hosts=127.0.0.1:" + transport1 + ",127.0.0.1:" + transport2;
    Path first = home("a");
    TestElasticsearch.start(
        esHome,
        javaHome,
        first,
        http1,
        transport1,
        cluster,
        List.of("-Enode.name=a", "-Ecluster.initial_master_nodes=a", seeds));
    Path second = home("b");
    TestElasticsearch.start(
        esHome,
        javaHome,
        second,
        http2,
        transport2,
        cluster,
        List.of("-Enode.name=b", "-Enode.roles=[data]", seeds));
    TestElasticsearch.request("GET", http1, "/_cluster/health?wait_for_nodes=2&timeout=90s");

    // The second node first: the client fails over to the other when it is gone.
    try (ElasticsearchDocumentIndex index =
        ElasticsearchDocumentIndex.open(
            List.of("http://127.0.0.1:" + http2, "http://127.0.0.1:" + http1),
            "",
            Optional.empty(),
            Optional.empty(),
            "cluster-",
            Duration.ofSeconds(20),
            MODEL,
            PageFusion.standard())) {
      index.replace(note("https://x.test/a", "replicated zebra note"));
      // The replica on the second node is assigned (auto_expand_replicas 0-1): the cluster is
      // green.
      TestElasticsearch.request(
          "GET", http1, "/_cluster/health/cluster-chunks?wait_for_status=green&timeout=90s");
      HealthStatus both = index.healthCheck().check();
      assertThat(both.state()).isEqualTo(HealthStatus.State.up);
      assertThat(both.facts()).containsEntry("nodes", 2).containsEntry("cluster_status", "green");

      stop(second);
      assertThat(TestElasticsearch.answers(http2)).isFalse();

      assertThat(index.searchText(DocumentIndex.DOCUMENTS, "zebra", 5))
          .singleElement()
          .satisfies(h -> assertThat(h.chunk().url()).isEqualTo("https://x.test/a"));
      index.replace(note("https://x.test/b", "written while a node is down"));
      assertThat(index.count(DocumentIndex.DOCUMENTS)).isEqualTo(2);
      TestElasticsearch.request("GET", http1, "/_cluster/health?wait_for_nodes=1&timeout=60s");
      HealthStatus one = index.healthCheck().check();
      assertThat(one.state()).isEqualTo(HealthStatus.State.up);
      assertThat(one.facts()).containsEntry("nodes", 1);
      assertThat(one.detail()).contains("(1 nodes)");
    }
  }
}
