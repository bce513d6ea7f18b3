package ai.sophia.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.web.Fixtures;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SearxngProviderTest {
  private static final String PATH = "/searx/search";
  private final LoopbackServer server = LoopbackServer.start();
  private final SearchProvider searxng = ProviderSetup.providers(server).get("searxng");

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void search_jsonResults_areParsedInOrder() {
    server.route(PATH, Reply.json(Fixtures.text("searxng-results.json")));

    List<SearchHit> hits = searxng.search("java virtual threads", 10);

    assertThat(hits)
        .extracting(SearchHit::url, SearchHit::rank)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("https://openjdk.org/jeps/444", 1),
            org.assertj.core.groups.Tuple.tuple(
                "https://docs.oracle.com/en/java/javase/21/core/virtual-threads.html", 2),
            org.assertj.core.groups.Tuple.tuple("https://en.wikipedia.org/wiki/Green_thread", 3));
    assertThat(hits.getFirst().title()).isEqualTo("JEP 444: Virtual Threads");
    assertThat(hits.getFirst().snippet())
        .startsWith("Introduce virtual threads to the Java Platform.");
    assertThat(hits.getFirst().provider()).isEqualTo("searxng");
  }

  @Test
  void search_asksForJsonWithGet() {
    server.route(PATH, Reply.json(Fixtures.text("searxng-results.json")));

    searxng.search("java virtual threads", 10);

    LoopbackServer.Recorded request = server.requests(PATH).getFirst();
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.query()).isEqualTo("q=java%20virtual%20threads&format=json");
    assertThat(request.header("accept")).hasValue("application/json");
  }

  @Test
  void search_rateLimited_isBlocked() {
    server.route(PATH, Reply.status(429));

    assertThatThrownBy(() -> searxng.search("q", 5))
        .isInstanceOfSatisfying(SearchException.class, e -> assertThat(e.blocked()).isTrue())
        .hasMessageContaining("429");
  }

  @Test
  void search_jsonFormatDisabled403_isBlocked() {
    server.route(PATH, Reply.of(403, "text/html", "<h1>403 Forbidden</h1>"));

    assertThatThrownBy(() -> searxng.search("q", 5))
        .isInstanceOfSatisfying(SearchException.class, e -> assertThat(e.blocked()).isTrue());
  }

  @Test
  void search_malformedJson_fails() {
    server.route(PATH, Reply.json("{\"results\": [ {\"url\": "));

    assertThatThrownBy(() -> searxng.search("q", 5))
        .isInstanceOfSatisfying(SearchException.class, e -> assertThat(e.blocked()).isFalse())
        .hasMessageContaining("malformed");
  }

  @Test
  void configured_withoutBaseUrl_isFalse() {
    SophiaConfig config = ProviderSetup.config(server);
    SophiaConfig.Providers p = config.providers();
    SophiaConfig unset =
        new SophiaConfig(
            config.environment(),
            config.dataDir(),
            config.storage(),
            config.redis(),
            config.index(),
            config.server(),
            config.security(),
            config.research(),
            new SophiaConfig.Providers(
                p.duckduckgo(),
                new SophiaConfig.Provider("", null),
                p.serper(),
                p.brave(),
                p.tavily()),
            config.ingest(),
            config.embedding(),
            config.cache(),
            config.models(),
            config.agents(),
            config.code(),
            config.mcp(),
            config.swarm(),
            config.deploy(),
            config.tracing());

    SearchProvider provider =
        SearchProviders.create(unset, Secrets.create(Map.of())).get("searxng");

    assertThat(provider.configured()).isFalse();
    assertThatThrownBy(() -> provider.search("q", 5))
        .hasMessageContaining("providers.searxng.base_url");
  }
}
