package ai.sophia.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.web.Fixtures;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DuckDuckGoProviderTest {
  private static final String PATH = "/ddg/html/";
  private final LoopbackServer server = LoopbackServer.start();
  private final SearchProvider ddg = ProviderSetup.providers(server).get("duckduckgo");

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void search_resultsPage_parsesOrganicHitsAndDecodesRedirects() {
    server.route(PATH, Reply.html(Fixtures.text("duckduckgo-results.html")));

    List<SearchHit> hits = ddg.search("java virtual threads", 10);

    assertThat(hits)
        .extracting(SearchHit::url)
        .containsExactly(
            "https://docs.oracle.com/en/java/javase/21/core/virtual-threads.html",
            "https://openjdk.org/jeps/444",
            "https://www.baeldung.com/java-virtual-thread-vs-thread?utm_source=ddg&ref=x",
            "https://inside.java/2023/10/30/sip086/");
    assertThat(hits.get(0).title()).isEqualTo("Virtual Threads - Oracle Help Center");
    assertThat(hits.get(0).snippet())
        .startsWith("Virtual threads are lightweight threads that reduce the effort");
    assertThat(hits.get(3).title())
        .isEqualTo("Sip of Java: Virtual Threads & Structured Concurrency");
    assertThat(hits).extracting(SearchHit::rank).containsExactly(1, 2, 3, 4);
    assertThat(hits).allSatisfy(h -> assertThat(h.provider()).isEqualTo("duckduckgo"));
  }

  @Test
  void search_skipsAds() {
    server.route(PATH, Reply.html(Fixtures.text("duckduckgo-results.html")));

    assertThat(ddg.search("java virtual threads", 10))
        .noneMatch(h -> h.url().contains("y.js") || h.title().contains("Online Courses"));
  }

  @Test
  void search_postsTheQueryAsAForm() {
    server.route(PATH, Reply.html(Fixtures.text("duckduckgo-results.html")));

    ddg.search("java virtual threads", 10);

    LoopbackServer.Recorded request = server.requests(PATH).getFirst();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.body()).isEqualTo("q=java+virtual+threads");
    assertThat(request.header("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/x-www-form-urlencoded"));
    assertThat(request.header("user-agent"))
        .hasValueSatisfying(ua -> assertThat(ua).startsWith("SophiaBot/"));
  }

  @Test
  void search_limit_returnsTheFirstHitsOnly() {
    server.route(PATH, Reply.html(Fixtures.text("duckduckgo-results.html")));

    assertThat(ddg.search("java virtual threads", 2)).hasSize(2);
  }

  @Test
  void search_noResultsPage_isEmpty() {
    server.route(PATH, Reply.html(Fixtures.text("duckduckgo-no-results.html")));

    assertThat(ddg.search("qzxjvwpq", 10)).isEmpty();
  }

  @Test
  void search_202_isBlocked() {
    server.route(PATH, Reply.of(202, "text/html", "<html><body></body></html>"));

    assertBlocked(true, "202");
  }

  @Test
  void search_403_isBlocked() {
    server.route(PATH, Reply.status(403));

    assertBlocked(true, "403");
  }

  @Test
  void search_anomalyCaptchaPage_isBlocked() {
    server.route(PATH, Reply.html(Fixtures.text("duckduckgo-anomaly.html")));

    assertBlocked(true, "CAPTCHA");
  }

  @Test
  void search_serverError_failsWithoutBeingBlocked() {
    server.route(PATH, Reply.status(502));

    assertBlocked(false, "502");
  }

  @Test
  void search_unreachable_failsNamingTheProvider() {
    server.close();

    assertBlocked(false, "unreachable");
  }

  private void assertBlocked(boolean blocked, String detail) {
    assertThatThrownBy(() -> ddg.search("java virtual threads", 10))
        .isInstanceOfSatisfying(
            SearchException.class,
            e -> {
              assertThat(e.blocked()).isEqualTo(blocked);
              assertThat(e.provider()).isEqualTo("duckduckgo");
              assertThat(e).hasMessageStartingWith("duckduckgo: ").hasMessageContaining(detail);
            });
  }
}
