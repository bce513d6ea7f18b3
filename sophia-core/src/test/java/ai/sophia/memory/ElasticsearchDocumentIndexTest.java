package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.health.HealthStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * What only the Elasticsearch index does (the shared contract is {@link DocumentIndexTest}'s): its
 * health as the cluster's, and ids for urls of any length.
 */
class ElasticsearchDocumentIndexTest {
  private static final String MODEL = "all-minilm-l6-v2";

  private static List<Chunk> note(String url, String text) {
    float[] vector = new float[384];
    vector[0] = 1;
    return List.of(new Chunk(url + "#0", DocumentIndex.DOCUMENTS, url, "Note", 0, text, vector));
  }

  @Test
  void healthCheck_redCluster_degradedSayingSoNeverThrowing() throws Exception {
    TestElasticsearch es = TestElasticsearch.get();
    try (ElasticsearchDocumentIndex index = TestElasticsearch.open("red", MODEL)) {
      assertThat(index.healthCheck().check().state()).isEqualTo(HealthStatus.State.up);
      // An index whose only shard may live on no node: its primary stays unassigned, cluster red.
      String red = es.prefix("red") + "unassigned";
      es.call(
          "PUT",
          "/" + red + "?wait_for_active_shards=0",
          "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0,"
              + "\"index.routing.allocation.require._name\":\"no-such-node\"}}");
      try {
        HealthStatus status = index.healthCheck().check();
        assertThat(status.state()).isEqualTo(HealthStatus.State.degraded);
        assertThat(status.detail()).contains("is red").contains("primary shard is unassigned");
      } finally {
        es.call("DELETE", "/" + red, "");
      }
      assertThat(index.healthCheck().check().state()).isEqualTo(HealthStatus.State.up);
    }
  }

  @Test
  void healthCheck_clusterUnreachable_degradedSayingSo() throws Exception {
    URI node = URI.create(TestElasticsearch.get().url());
    try (Forwarder forwarder = new Forwarder(node.getPort());
        ElasticsearchDocumentIndex index =
            ElasticsearchDocumentIndex.open(
                List.of("http://127.0.0.1:" + forwarder.port()),
                "",
                Optional.empty(),
                Optional.empty(),
                TestElasticsearch.get().prefix("unreachable"),
                Duration.ofSeconds(20),
                MODEL,
                PageFusion.standard())) {
      index.replace(note("https://x.test/a", "a note"));
      assertThat(index.healthCheck().check().state()).isEqualTo(HealthStatus.State.up);

      forwarder.close(); // the cluster is gone, as far as this node can tell

      HealthStatus status = index.healthCheck().check();
      assertThat(status.state()).isEqualTo(HealthStatus.State.degraded);
      assertThat(status.detail()).startsWith("elasticsearch unreachable: ");
    }
  }

  @Test
  void replace_urlLongerThanAnElasticsearchId_isStoredReplacedAndDeleted() {
    String url = "https://x.test/" + "a".repeat(3000);
    try (ElasticsearchDocumentIndex index = TestElasticsearch.open("long", MODEL)) {
      index.replace(note(url, "zebra"));
      index.replace(note(url, "giraffe"));
      assertThat(index.searchText(DocumentIndex.DOCUMENTS, "giraffe", 5))
          .singleElement()
          .satisfies(h -> assertThat(h.chunk().url()).isEqualTo(url));
      assertThat(index.searchText(DocumentIndex.DOCUMENTS, "zebra", 5)).isEmpty();
      index.delete(DocumentIndex.DOCUMENTS, url);
      assertThat(index.count(DocumentIndex.DOCUMENTS)).isZero();
    }
  }

  /** A loopback TCP relay to the node, which the test can cut. */
  private static final class Forwarder implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    Forwarder(int target) throws IOException {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(client);
                    open.add(upstream);
                    pipe(client, upstream);
                    pipe(upstream, client);
                  } catch (IOException e) {
                    return;
                  }
                }
              });
    }

    int port() {
      return server.getLocalPort();
    }

    private void pipe(Socket from, Socket to) {
      Thread.ofVirtual()
          .start(
              () -> {
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  in.transferTo(out);
                } catch (IOException e) {
                  // one side closed: so does the other
                } finally {
                  closeQuietly(from);
                  closeQuietly(to);
                }
              });
    }

    private static void closeQuietly(Socket s) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      open.forEach(Forwarder::closeQuietly);
    }
  }
}
