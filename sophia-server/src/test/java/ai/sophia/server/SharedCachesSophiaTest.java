package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.redis.TestRedis;
import ai.sophia.research.LoopbackResearch;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real Sophia servers (each its own SQLite and index) sharing one Redis, researching on a
 * loopback web through a SearXNG-format engine: the second node's research is answered from the
 * search results and pages the first left in Redis; with Redis stopped it searches and fetches
 * itself, and /health is degraded saying so.
 */
class SharedCachesSophiaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PAGES = List.of("/docs/install.html", "/docs/guide.html");
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path dir;

  private static Sophia open(Map<String, String> env) {
    return Sophia.open(ConfigLoader.create(env).load(Optional.empty()), env);
  }

  private JsonNode chat(int port, String secret, String query) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/chat"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + secret)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.createObjectNode()
                            .put("query", query)
                            .put("search_engine", "searxng")
                            .toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private JsonNode health(int port) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private static int fetches(LoopbackResearch world) {
    return PAGES.stream().mapToInt(p -> world.site().requests(p).size()).sum();
  }

  @Test
  void twoNodes_oneRedis_shareSearchesAndPagesAndResearchAloneWithoutIt() throws Exception {
    TestRedis redis = TestRedis.startPrivate();
    try (redis;
        LoopbackResearch world = LoopbackResearch.start()) {
      world.searchResults(PAGES.stream().map(world::url).toList());
      Map<String, String> shared = new HashMap<>(redis.env());
      shared.put("SOPHIA_SERVER_PORT", "0");
      shared.put("SOPHIA_MODELS_MODE", "offline");
      shared.put("SOPHIA_PROVIDERS_SEARXNG_BASE_URL", world.searchServer().url("/searx"));
      shared.put("SOPHIA_RESEARCH_FETCH_ALLOWED_PRIVATE_RANGES", "127.0.0.0/8");
      Map<String, String> envA = new HashMap<>(shared);
      envA.put("SOPHIA_DATA_DIR", dir.resolve("a").toString());
      Map<String, String> envB = new HashMap<>(shared);
      envB.put("SOPHIA_DATA_DIR", dir.resolve("b").toString());
      try (Sophia a = open(envA);
          Sophia b = open(envB)) {
        int portA = a.serve(new PrintWriter(new StringWriter()));
        int portB = b.serve(new PrintWriter(new StringWriter()));
        String keyA = a.apiKeys().create("research", Role.user).secret();
        String keyB = b.apiKeys().create("research", Role.user).secret();

        JsonNode onA = chat(portA, keyA, "How do I install Heliograph?");
        JsonNode onB = chat(portB, keyB, "How do I install Heliograph?");

        assertThat(world.searchServer().requests("/searx/search")).hasSize(1);
        assertThat(fetches(world)).isEqualTo(PAGES.size());
        assertThat(onB.get("sources")).hasSameSizeAs(onA.get("sources")).isNotEmpty();
        assertThat(onB.get("answer").asText()).isEqualTo(onA.get("answer").asText());

        redis.stop();
        JsonNode alone = chat(portB, keyB, "Which port does the Heliograph image expose?");

        assertThat(alone.get("sources")).isNotEmpty();
        assertThat(world.searchServer().requests("/searx/search")).hasSize(2);
        JsonNode health = awaitRedisDown(portB);
        assertThat(health.get("status").asText()).isEqualTo("degraded");
        assertThat(health.toString()).contains("search results and fetched pages are not shared");
      }
    }
  }

  /** /health of {@code port} once its redis component reads down (checks are cached a second). */
  private JsonNode awaitRedisDown(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      JsonNode health = health(port);
      for (JsonNode c : health.get("components")) {
        if (c.get("name").asText().equals("redis") && c.get("status").asText().equals("down")) {
          return health;
        }
      }
      assertThat(System.nanoTime()).as("redis down in " + health).isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
