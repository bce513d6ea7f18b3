package ai.sophia.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ai.sophia.cache.CacheRegistry;
import ai.sophia.cache.SharedCache;
import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.Embedder;
import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import ai.sophia.memory.Chunk;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.research.LocalSearchProvider;
import ai.sophia.search.SearchRouter.Attempt;
import ai.sophia.search.SearchRouter.Outcome;
import ai.sophia.search.SearchRouter.Routed;
import ai.sophia.web.Fixtures;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router over real providers talking to one loopback server that plays every engine. */
class SearchRouterTest {
  private final LoopbackServer server = LoopbackServer.start();
  private final SophiaConfig config = ProviderSetup.config(server);
  private final CacheRegistry caches = CacheRegistry.create();

  @AfterEach
  void stop() {
    server.close();
  }

  private SearchRouter router(Map<String, SearchProvider> providers) {
    return SearchRouter.create(
        providers, config.research().fallbackEngines(), caches, config.cache(), SharedCache.none());
  }

  @Test
  void search_duckDuckGoAnswers202_fallsBackToSearxngAndReportsAttempts() {
    server.route("/ddg/html/", Reply.of(202, "text/html", ""));
    server.route("/searx/search", Reply.json(Fixtures.text("searxng-results.json")));

    Routed routed =
        router(ProviderSetup.providers(server)).search("duckduckgo", "java virtual threads", 3);

    assertThat(routed.engine()).isEqualTo("searxng");
    assertThat(routed.served()).isTrue();
    assertThat(routed.hits())
        .hasSize(3)
        .allSatisfy(h -> assertThat(h.provider()).isEqualTo("searxng"));
    assertThat(routed.attempts())
        .extracting(Attempt::engine, Attempt::outcome)
        .containsExactly(tuple("duckduckgo", Outcome.blocked), tuple("searxng", Outcome.ok));
    assertThat(routed.attempts().getFirst().detail()).contains("202");
  }

  @Test
  void healthChecks_reflectEachEnginesLastSearchWithoutCallingIt() throws Exception {
    server.route("/ddg/html/", Reply.of(202, "text/html", ""));
    server.route("/searx/search", Reply.json(Fixtures.text("searxng-results.json")));
    SearchRouter router = router(ProviderSetup.providersWithoutKeys(server));
    Map<String, HealthCheck> checks = new java.util.HashMap<>();
    router.healthChecks().forEach(c -> checks.put(c.name(), c));
    assertThat(checks.get("search.searxng").check().detail()).contains("not used");

    router.search("duckduckgo", "java virtual threads", 3);
    int requests = server.requests().size();

    HealthStatus ddg = checks.get("search.duckduckgo").check();
    assertThat(ddg.state()).isEqualTo(HealthStatus.State.degraded);
    assertThat(ddg.detail()).contains("blocked");
    assertThat(checks.get("search.searxng").check().state()).isEqualTo(HealthStatus.State.up);
    assertThat(checks.get("search.brave").check().detail()).contains("not configured");
    assertThat(checks.values()).noneMatch(HealthCheck::critical);
    assertThat(server.requests()).hasSize(requests);
  }

  @Test
  void healthChecks_localSearchForTextWithoutTokens_staysUp(@TempDir Path dir) throws Exception {
    Embedder embedder = OnnxEmbedder.create("all-minilm-l6-v2");
    try (LuceneDocumentIndex index = LuceneDocumentIndex.open(dir, embedder.model())) {
      String text = "Write-ahead logging keeps the database consistent after a crash.";
      index.replace(
          List.of(
              new Chunk(
                  "wal-0",
                  DocumentIndex.DOCUMENTS,
                  "file:///wal.txt",
                  "WAL",
                  0,
                  text,
                  embedder.embedPassages(List.of(text)).getFirst())));
      SearchRouter router = router(Map.of("local", new LocalSearchProvider(index, embedder)));

      Routed routed = router.search("local", "\u200b\u0001\ufffd", 3);

      assertThat(routed.attempts()).extracting(Attempt::outcome).doesNotContain(Outcome.failed);
      HealthCheck local = router.healthChecks().getFirst();
      assertThat(local.name()).isEqualTo("search.local");
      assertThat(local.check().state()).isEqualTo(HealthStatus.State.up);
    }
  }

  @Test
  void search_everyEngineDown_returnsNoHitsWithEveryAttempt() {
    server.route("/ddg/html/", Reply.html(Fixtures.text("duckduckgo-anomaly.html")));
    server.route("/searx/search", Reply.status(500));
    server.route("/brave/res/v1/web/search", Reply.status(429));
    server.route("/serper/search", Reply.status(401));
    // tavily: no route, so the server answers 404

    Routed routed = router(ProviderSetup.providers(server)).search("duckduckgo", "anything", 3);

    assertThat(routed.served()).isFalse();
    assertThat(routed.engine()).isEmpty();
    assertThat(routed.hits()).isEmpty();
    assertThat(routed.attempts())
        .extracting(Attempt::engine, Attempt::outcome)
        .containsExactly(
            tuple("duckduckgo", Outcome.blocked),
            tuple("searxng", Outcome.failed),
            tuple("brave", Outcome.blocked),
            tuple("serper", Outcome.failed),
            tuple("tavily", Outcome.failed),
            tuple("local", Outcome.skipped));
  }

  @Test
  void search_unconfiguredEnginesAreSkippedAndEmptyResultsFallThrough() {
    server.route("/ddg/html/", Reply.html(Fixtures.text("duckduckgo-no-results.html")));
    server.route("/searx/search", Reply.json("{\"results\": []}"));
    server.route("/tavily/search", Reply.json(Fixtures.text("tavily-results.json")));

    Routed routed = router(ProviderSetup.providersWithoutKeys(server)).search("duckduckgo", "q", 3);

    assertThat(routed.served()).isFalse();
    assertThat(routed.attempts())
        .extracting(Attempt::engine, Attempt::outcome, Attempt::detail)
        .containsExactly(
            tuple("duckduckgo", Outcome.empty, "no results"),
            tuple("searxng", Outcome.empty, "no results"),
            tuple("brave", Outcome.skipped, "not configured"),
            tuple("serper", Outcome.skipped, "not configured"),
            tuple("tavily", Outcome.skipped, "not configured"),
            tuple("local", Outcome.skipped, "not available"));
    assertThat(server.requests("/tavily/search")).isEmpty();
  }

  @Test
  void search_requestedEngineAlsoInFallbacks_isTriedOnce() {
    server.route("/searx/search", Reply.status(503));
    server.route("/brave/res/v1/web/search", Reply.json(Fixtures.text("brave-results.json")));

    Routed routed = router(ProviderSetup.providers(server)).search("searxng", "q", 2);

    assertThat(routed.engine()).isEqualTo("brave");
    assertThat(routed.hits()).hasSize(2);
    assertThat(routed.attempts()).extracting(Attempt::engine).containsExactly("searxng", "brave");
    assertThat(server.requests("/searx/search")).hasSize(1);
  }

  @Test
  void search_sameQueryTwice_isServedFromCache() {
    server.route("/searx/search", Reply.json(Fixtures.text("searxng-results.json")));
    SearchRouter router = router(ProviderSetup.providers(server));

    Routed first = router.search("searxng", "Java  virtual threads", 3);
    Routed second = router.search("searxng", "java virtual threads ", 3);

    assertThat(second.hits()).isEqualTo(first.hits());
    assertThat(second.attempts())
        .singleElement()
        .satisfies(a -> assertThat(a.detail()).contains("cached"));
    assertThat(server.requests("/searx/search")).hasSize(1);
    assertThat(caches.stats().get("search").hitCount()).isEqualTo(1);
  }

  @Test
  void search_differentLimit_isNotServedFromCache() {
    server.route("/searx/search", Reply.json(Fixtures.text("searxng-results.json")));
    SearchRouter router = router(ProviderSetup.providers(server));

    router.search("searxng", "java", 3);
    Routed two = router.search("searxng", "java", 2);

    assertThat(two.hits()).hasSize(2);
    assertThat(server.requests("/searx/search")).hasSize(2);
  }

  @Test
  void search_unknownRequestedEngine_isSkippedThenFallsBack() {
    server.route("/searx/search", Reply.json(Fixtures.text("searxng-results.json")));

    Routed routed =
        SearchRouter.create(
                ProviderSetup.providers(server),
                List.of("searxng"),
                caches,
                config.cache(),
                SharedCache.none())
            .search("local", "java", 1);

    assertThat(routed.attempts())
        .extracting(Attempt::engine, Attempt::outcome)
        .containsExactly(tuple("local", Outcome.skipped), tuple("searxng", Outcome.ok));
    assertThat(routed.hits()).singleElement().satisfies(h -> assertThat(h.rank()).isEqualTo(1));
  }
}
