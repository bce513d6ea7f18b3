package ai.sophia.research;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.health.HealthStatus;
import ai.sophia.model.ScriptedModelGateway;
import ai.sophia.redis.Redis;
import ai.sophia.redis.TestRedis;
import ai.sophia.web.LoopbackServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two research nodes (two data directories, each its own connection) sharing a real Redis: what one
 * searched and fetched, the other reads from Redis instead of asking the engine and the site again;
 * with Redis gone, or holding something unreadable, each searches and fetches for itself.
 */
class SharedResearchCachesTest {
  private static final String QUERY = "How do I install Heliograph?";
  private static final List<String> PAGES =
      List.of("/docs/install.html", "/docs/guide.html", "/docs/configuration.html");
  // A web and search engines of each test's own, so that request counts start at zero.
  private final LoopbackResearch world = LoopbackResearch.start();
  @TempDir Path dir;

  @AfterEach
  void stopWeb() {
    world.close();
  }

  /** Two nodes, each with its own data directory and connection to the Redis at {@code env}. */
  private record Nodes(
      Redis redisA, Redis redisB, LoopbackResearch.Stack a, LoopbackResearch.Stack b)
      implements AutoCloseable {
    @Override
    public void close() {
      a.close();
      b.close();
      redisA.close();
      redisB.close();
    }
  }

  /** {@code envB}: B's own settings on top of the loopback world's. */
  private Nodes nodes(Map<String, String> redisEnv, Map<String, String> envB) throws IOException {
    Redis redisA = TestRedis.connect(redisEnv);
    Redis redisB = TestRedis.connect(redisEnv);
    return new Nodes(redisA, redisB, node("a", redisA, Map.of()), node("b", redisB, envB));
  }

  private LoopbackResearch.Stack node(String name, Redis redis, Map<String, String> env)
      throws IOException {
    return world.open(
        Files.createDirectories(dir.resolve(name)),
        ScriptedModelGateway.create().available(false),
        env,
        redis);
  }

  private static ResearchResult research(LoopbackResearch.Stack node, String query) {
    return node.research()
        .research(
            ResearchRequests.validate(query, 3, "searxng", "duckduckgo"), ResearchProgress.none());
  }

  private int searches() {
    return world.searchServer().requests("/searx/search").size();
  }

  private int pageFetches() {
    LoopbackServer site = world.site();
    return PAGES.stream().mapToInt(p -> site.requests(p).size()).sum();
  }

  private String query(String tag) {
    // Each test its own question, so that the in-process caches and Redis start empty for it.
    return QUERY + " " + tag + " " + dir.getFileName();
  }

  @Test
  void research_onNodeA_thenNodeB_searchesAndFetchesOnce() throws Exception {
    world.searchResults(PAGES.stream().map(world::url).toList());
    String query = query("shared");
    try (Nodes nodes = nodes(TestRedis.shared().env(), Map.of())) {
      int searchesBefore = searches();
      int fetchesBefore = pageFetches();

      ResearchResult onA = research(nodes.a(), query);
      ResearchResult onB = research(nodes.b(), query);

      assertThat(searches() - searchesBefore).isEqualTo(1);
      assertThat(pageFetches() - fetchesBefore).isEqualTo(PAGES.size());
      assertThat(onB.metadata().searchEngine()).isEqualTo("searxng");
      assertThat(onB.sources())
          .extracting(ResearchResult.Source::url)
          .containsExactlyElementsOf(
              onA.sources().stream().map(ResearchResult.Source::url).toList());
      assertThat(onB.answer()).isEqualTo(onA.answer()).isNotBlank();
      // Neither the question nor a URL is readable in Redis.
      List<String> keys = nodes.redisA().call(c -> c.keys(nodes.redisA().key("*")));
      assertThat(keys).isNotEmpty().noneMatch(k -> k.contains("Heliograph") || k.contains("docs"));
    }
  }

  @Test
  void research_sharedPageOutsideThisNodesAddressRules_isFetchedHereAndRefused() throws Exception {
    world.searchResults(List.of(world.url("/docs/install.html")));
    String query = query("rules");
    // B does not open loopback to research, as A's operator did.
    try (Nodes nodes =
        nodes(
            TestRedis.shared().env(), Map.of("SOPHIA_RESEARCH_FETCH_ALLOWED_PRIVATE_RANGES", ""))) {
      assertThat(research(nodes.a(), query).sources()).hasSize(1);

      ResearchResult onB = research(nodes.b(), query);

      assertThat(onB.sources()).isEmpty();
      assertThat(onB.metadata().sourcesSkipped())
          .anySatisfy(s -> assertThat(s).contains("/docs/install.html").contains("refused"));
    }
  }

  @Test
  void research_corruptValuesInRedis_areMissesAndTheNodeFetchesItself() throws Exception {
    world.searchResults(PAGES.stream().map(world::url).toList());
    String query = query("corrupt");
    try (Nodes nodes = nodes(TestRedis.shared().env(), Map.of())) {
      ResearchResult onA = research(nodes.a(), query);
      List<String> keys = nodes.redisA().call(c -> c.keys(nodes.redisA().key("*")));
      assertThat(keys).as("the search and each page").hasSize(1 + PAGES.size());
      for (String key : keys) {
        byte[] half = nodes.redisA().call(c -> c.getrange(key, 0, 40));
        nodes.redisA().call(c -> c.set(key, half));
      }
      nodes
          .redisA()
          .call(c -> c.set(keys.getFirst(), "\u0000garbage".getBytes(StandardCharsets.UTF_8)));
      int searchesBefore = searches();
      int fetchesBefore = pageFetches();

      ResearchResult onB = research(nodes.b(), query);

      assertThat(searches() - searchesBefore).isEqualTo(1);
      assertThat(pageFetches() - fetchesBefore).isEqualTo(PAGES.size());
      assertThat(onB.sources()).hasSameSizeAs(onA.sources()).isNotEmpty();
    }
  }

  @Test
  void research_redisStoppedMidway_searchesAndFetchesLocallyAndHealthSaysWhatIsLost()
      throws Exception {
    world.searchResults(PAGES.stream().map(world::url).toList());
    TestRedis server = TestRedis.startPrivate();
    String query = query("outage");
    try (Nodes nodes = nodes(server.env(), Map.of())) {
      ResearchResult onA = research(nodes.a(), query);
      server.stop();
      int searchesBefore = searches();
      int fetchesBefore = pageFetches();

      ResearchResult onB = research(nodes.b(), query);

      // Whether research answers or abstains is the score's call, near its threshold here: what
      // this test asks is that B found the same sources by itself.
      assertThat(onB.sources()).hasSameSizeAs(onA.sources()).isNotEmpty();
      assertThat(searches() - searchesBefore).isEqualTo(1);
      assertThat(pageFetches() - fetchesBefore).isEqualTo(PAGES.size());
      HealthStatus health = nodes.redisB().healthCheck().check();
      assertThat(health.state()).isEqualTo(HealthStatus.State.down);
      assertThat(health.detail()).contains("search results and fetched pages are not shared");
    } finally {
      server.close();
    }
  }
}
