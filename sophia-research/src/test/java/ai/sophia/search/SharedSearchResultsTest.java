package ai.sophia.search;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.cache.CacheRegistry;
import ai.sophia.config.SophiaConfig;
import ai.sophia.redis.Redis;
import ai.sophia.redis.TestRedis;
import ai.sophia.research.ResearchCaches;
import ai.sophia.search.SearchRouter.Attempt;
import ai.sophia.search.SearchRouter.Routed;
import ai.sophia.web.Fixtures;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two routers, as on two nodes, each with its own in-process cache and Redis connection, over a
 * real Brave provider talking to a loopback server in Brave's wire format.
 */
class SharedSearchResultsTest {
  private static final String PATH = "/brave/res/v1/web/search";
  private final LoopbackServer server = LoopbackServer.start();
  private final SophiaConfig config = ProviderSetup.config(server);
  // Both nodes of a test share one key prefix.
  private final Map<String, String> env = TestRedis.shared().env();

  @BeforeEach
  void braveAnswers() {
    server.route(PATH, Reply.json(Fixtures.text("brave-results.json")));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private SearchRouter node(Redis redis) {
    return SearchRouter.create(
        ProviderSetup.providers(server),
        List.of(),
        CacheRegistry.create(),
        config.cache(),
        ResearchCaches.redis(redis, config).searches());
  }

  @Test
  void search_onNodeA_thenNodeB_engineAskedOnceAndNoSecretInRedis() {
    try (Redis a = TestRedis.connect(env);
        Redis b = TestRedis.connect(env)) {
      Routed onA = node(a).search("brave", "Java  Virtual threads", 3);
      Routed onB = node(b).search("brave", "java virtual threads", 3);

      assertThat(server.requests(PATH)).hasSize(1);
      assertThat(onB.hits()).isEqualTo(onA.hits()).hasSize(3);
      assertThat(onB.attempts())
          .extracting(Attempt::detail)
          .containsExactly("3 results (shared cache)");
      List<String> keys = a.call(c -> c.keys(a.key("search", "*")));
      assertThat(keys).singleElement().satisfies(k -> assertThat(k).doesNotContain("java"));
      String value = new String(a.call(c -> c.get(keys.getFirst())), StandardCharsets.UTF_8);
      assertThat(value).doesNotContain(ProviderSetup.BRAVE_KEY);
    }
  }

  @Test
  void search_corruptOrForeignValueInRedis_asksTheEngine() {
    try (Redis a = TestRedis.connect(env);
        Redis b = TestRedis.connect(env)) {
      node(a).search("brave", "java virtual threads", 3);
      String key = a.call(c -> c.keys(a.key("search", "*"))).getFirst();
      // Well-formed, but its hits claim another engine: not trusted either.
      String stored = new String(a.call(c -> c.get(key)), StandardCharsets.UTF_8);
      a.call(
          c ->
              c.set(
                  key, stored.replace("\"brave\"", "\"local\"").getBytes(StandardCharsets.UTF_8)));
      Routed foreign = node(b).search("brave", "java virtual threads", 3);
      a.call(c -> c.set(key, "{\"hits\":[{\"url\":".getBytes(StandardCharsets.UTF_8)));
      Routed corrupt = node(b).search("brave", "java virtual threads", 3);

      assertThat(server.requests(PATH)).hasSize(3);
      assertThat(foreign.hits())
          .hasSize(3)
          .allSatisfy(h -> assertThat(h.provider()).isEqualTo("brave"));
      assertThat(corrupt.attempts()).extracting(Attempt::detail).containsExactly("3 results");
    }
  }

  @Test
  void search_redisStopped_asksTheEngineAndHealthSaysSearchesAreNotShared() throws Exception {
    TestRedis redis = TestRedis.startPrivate();
    try (Redis a = TestRedis.connect(redis.env());
        Redis b = TestRedis.connect(redis.env())) {
      node(a).search("brave", "java virtual threads", 3);
      redis.stop();

      Routed onB = node(b).search("brave", "java virtual threads", 3);

      assertThat(onB.served()).isTrue();
      assertThat(server.requests(PATH)).hasSize(2);
      assertThat(b.healthCheck().check().detail()).contains("search results");
    } finally {
      redis.close();
    }
  }
}
