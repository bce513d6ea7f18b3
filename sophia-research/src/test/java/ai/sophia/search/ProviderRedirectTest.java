package ai.sophia.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.web.Fixtures;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A configured engine may live on a private address, but where it redirects us is checked like
 * every other fetch: a redirect to another origin on loopback is refused before it is requested.
 */
class ProviderRedirectTest {
  private static final String PATH = "/searx/search";
  private final LoopbackServer server = LoopbackServer.start();
  private final SearchProvider searxng = ProviderSetup.providers(server).get("searxng");

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void search_redirectToLoopbackOnAnotherOrigin_isRefusedUnrequested() {
    String inside = "http://localhost:" + server.port() + "/inside/search";
    server.route(PATH, Reply.redirect(302, inside));
    server.route("/inside/search", Reply.json(Fixtures.text("searxng-results.json")));

    assertThatThrownBy(() -> searxng.search("java virtual threads", 10))
        .isInstanceOf(SearchException.class)
        .hasMessageContaining("redirected to http://localhost:")
        .hasMessageContaining("loopback");
    assertThat(server.requests("/inside/search")).isEmpty();
  }

  @Test
  void search_redirectToPrivateAddressLiteral_isRefused() {
    server.route(PATH, Reply.redirect(307, "http://2130706433:" + server.port() + "/inside"));

    assertThatThrownBy(() -> searxng.search("q", 5))
        .isInstanceOf(SearchException.class)
        .hasMessageContaining("loopback");
    assertThat(server.requests("/inside")).isEmpty();
  }

  @Test
  void search_redirectOnTheConfiguredOrigin_isFollowed() {
    server.route(PATH, Reply.redirect(301, server.url("/searx/v2/search?q=x&format=json")));
    server.route("/searx/v2/search", Reply.json(Fixtures.text("searxng-results.json")));

    List<SearchHit> hits = searxng.search("java virtual threads", 10);

    assertThat(hits).hasSize(3);
  }
}
