package ai.sophia.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.web.Fixtures;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Serper, Brave and Tavily, each against a loopback server speaking its wire format. */
class PaidProvidersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final LoopbackServer server = LoopbackServer.start();
  private final Map<String, SearchProvider> providers = ProviderSetup.providers(server);

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void serper_postsQueryWithKeyHeaderAndParsesOrganic() throws Exception {
    server.route("/serper/search", Reply.json(Fixtures.text("serper-results.json")));

    List<SearchHit> hits = providers.get("serper").search("java virtual threads", 3);

    LoopbackServer.Recorded request = server.requests("/serper/search").getFirst();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.header("x-api-key")).hasValue(ProviderSetup.SERPER_KEY);
    JsonNode body = JSON.readTree(request.body());
    assertThat(body.get("q").asText()).isEqualTo("java virtual threads");
    assertThat(body.get("num").asInt()).isEqualTo(3);
    assertThat(hits)
        .extracting(SearchHit::url)
        .containsExactly(
            "https://openjdk.org/jeps/444",
            "https://docs.oracle.com/en/java/javase/21/core/virtual-threads.html",
            "https://netflixtechblog.com/java-21-virtual-threads-dude-wheres-my-lock-3052540e231d");
    assertThat(hits.getFirst().title()).isEqualTo("JEP 444: Virtual Threads - OpenJDK");
    assertThat(hits.getFirst().provider()).isEqualTo("serper");
  }

  @Test
  void brave_getsWithTokenHeaderAndStripsHighlighting() {
    server.route("/brave/res/v1/web/search", Reply.json(Fixtures.text("brave-results.json")));

    List<SearchHit> hits = providers.get("brave").search("java virtual threads", 5);

    LoopbackServer.Recorded request = server.requests("/brave/res/v1/web/search").getFirst();
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.query()).isEqualTo("q=java%20virtual%20threads&count=5");
    assertThat(request.header("x-subscription-token")).hasValue(ProviderSetup.BRAVE_KEY);
    assertThat(request.header("accept")).hasValue("application/json");
    assertThat(hits).extracting(SearchHit::url).first().isEqualTo("https://openjdk.org/jeps/444");
    assertThat(hits).hasSize(3);
    assertThat(hits.getFirst().snippet())
        .isEqualTo(
            "Introduce virtual threads to the Java Platform. Virtual threads are lightweight threads & more.");
  }

  @Test
  void brave_countIsCappedAtTwenty() {
    server.route("/brave/res/v1/web/search", Reply.json(Fixtures.text("brave-results.json")));

    providers.get("brave").search("q", 50);

    assertThat(server.requests().getFirst().query()).endsWith("count=20");
  }

  @Test
  void tavily_postsBearerKeyAndBasicDepth() throws Exception {
    server.route("/tavily/search", Reply.json(Fixtures.text("tavily-results.json")));

    List<SearchHit> hits = providers.get("tavily").search("java virtual threads", 4);

    LoopbackServer.Recorded request = server.requests("/tavily/search").getFirst();
    assertThat(request.header("authorization")).hasValue("Bearer " + ProviderSetup.TAVILY_KEY);
    JsonNode body = JSON.readTree(request.body());
    assertThat(body.get("query").asText()).isEqualTo("java virtual threads");
    assertThat(body.get("max_results").asInt()).isEqualTo(4);
    assertThat(body.get("search_depth").asText()).isEqualTo("basic");
    assertThat(body.has("api_key")).isFalse();
    assertThat(hits)
        .extracting(SearchHit::url)
        .containsExactly(
            "https://openjdk.org/jeps/444",
            "https://docs.oracle.com/en/java/javase/21/core/virtual-threads.html");
    assertThat(hits.get(1).snippet()).startsWith("Virtual threads are lightweight threads");
  }

  @ParameterizedTest
  @CsvSource({
    "serper, /serper/search, 401, false",
    "serper, /serper/search, 429, true",
    "brave, /brave/res/v1/web/search, 403, true",
    "brave, /brave/res/v1/web/search, 500, false",
    "tavily, /tavily/search, 401, false",
    "tavily, /tavily/search, 503, false"
  })
  void search_errorStatuses_mapToSearchExceptionsWithoutTheKey(
      String engine, String path, int status, boolean blocked) {
    server.route(path, Reply.status(status));

    assertThatThrownBy(() -> providers.get(engine).search("q", 5))
        .isInstanceOfSatisfying(
            SearchException.class,
            e -> {
              assertThat(e.blocked()).isEqualTo(blocked);
              assertThat(e.provider()).isEqualTo(engine);
              assertThat(e)
                  .hasMessageContaining(Integer.toString(status))
                  .hasMessageNotContaining(ProviderSetup.SERPER_KEY)
                  .hasMessageNotContaining(ProviderSetup.BRAVE_KEY)
                  .hasMessageNotContaining(ProviderSetup.TAVILY_KEY);
            });
  }

  @Test
  void paidProviders_withoutKeys_areNotConfiguredAndNameTheVariable() {
    Map<String, SearchProvider> keyless = ProviderSetup.providersWithoutKeys(server);

    assertThat(keyless.get("serper").configured()).isFalse();
    assertThat(keyless.get("brave").configured()).isFalse();
    assertThat(keyless.get("tavily").configured()).isFalse();
    assertThat(keyless.get("duckduckgo").configured()).isTrue();
    assertThatThrownBy(() -> keyless.get("serper").search("q", 3))
        .hasMessageContaining("SERPER_API_KEY");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void providers_areListedInConfigurationOrder() {
    assertThat(providers.keySet())
        .containsExactly("duckduckgo", "searxng", "serper", "brave", "tavily");
  }
}
