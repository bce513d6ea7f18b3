package ai.sophia.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.SophiaConfig;
import ai.sophia.web.FetchException.Reason;
import ai.sophia.web.LoopbackServer.Reply;
import java.nio.charset.Charset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fetching against the loopback {@link LocalWeb}, with loopback opened by the operator list. */
class SafeFetcherTest {
  private static LocalWeb web;
  private final SafeFetcher fetcher = SafeFetcher.create(FetchConfigs.loopbackAllowed());

  @BeforeAll
  static void startWeb() {
    web = LocalWeb.start();
  }

  @AfterAll
  static void stopWeb() {
    web.close();
  }

  @Test
  void fetch_htmlPage_returnsDecodedBodyAndMediaType() {
    FetchedPage page = fetcher.fetch(web.url("/docs/guide.html"));

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).isEqualTo("text/html");
    assertThat(page.body()).contains("Getting started with Heliograph");
    assertThat(page.finalUrl()).isEqualTo(page.requestedUrl());
  }

  @Test
  void fetch_sendsConfiguredUserAgentAndTextAccept() {
    fetcher.fetch(web.url("/docs/faq.html"));

    LoopbackServer.Recorded request = web.server().requests("/docs/faq.html").getLast();
    assertThat(request.header("user-agent")).hasValue(FetchConfigs.USER_AGENT);
    assertThat(request.header("accept"))
        .hasValueSatisfying(a -> assertThat(a).startsWith("text/html"));
  }

  @Test
  void fetch_threeRedirects_followsToTheLandingPage() {
    FetchedPage page = fetcher.fetch(web.url("/docs/r/3"));

    assertThat(page.finalUrl().toString()).isEqualTo(web.url("/docs/redirected.html"));
    assertThat(page.requestedUrl().toString()).isEqualTo(web.url("/docs/r/3"));
    assertThat(page.body()).contains("Upgrade notes");
  }

  @Test
  void fetch_sixRedirects_isRefusedAfterFive() {
    assertThatThrownBy(() -> fetcher.fetch(web.url("/docs/r/6")))
        .isInstanceOfSatisfying(
            FetchException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_REDIRECTS);
              assertThat(e).hasMessageContaining("more than 5");
            });
    assertThat(web.server().requests("/docs/redirected.html")).isEmpty();
  }

  @Test
  void fetch_pageOverSizeCap_isTooLarge() {
    assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(web.url("/docs/huge.html"))))
        .isEqualTo(Reason.TOO_LARGE);
  }

  @Test
  void fetch_chunkedBodyOverSizeCap_isStoppedWhileStreaming() {
    try (LoopbackServer server = LoopbackServer.start()) {
      server.route("/stream", Reply.of(200, "text/plain", "x".repeat(250_000)).chunked());

      assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(server.url("/stream"))))
          .isEqualTo(Reason.TOO_LARGE);
    }
  }

  @Test
  void fetch_binaryContent_isUnsupported() {
    assertThatThrownBy(() -> fetcher.fetch(web.url("/docs/logo.png")))
        .isInstanceOfSatisfying(
            FetchException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_CONTENT_TYPE);
              assertThat(e).hasMessageContaining("image/png");
            });
  }

  @Test
  void fetch_unlabelledBinaryAndOctetStream_areUnsupported() {
    try (LoopbackServer server = LoopbackServer.start()) {
      server.route("/blob", new Reply(200, java.util.Map.of(), new byte[] {1, 0, 2, 0, 3}));
      server.route("/zip", Reply.of(200, "application/octet-stream", new byte[] {'P', 'K', 3, 4}));

      assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(server.url("/blob"))))
          .isEqualTo(Reason.UNSUPPORTED_CONTENT_TYPE);
      assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(server.url("/zip"))))
          .isEqualTo(Reason.UNSUPPORTED_CONTENT_TYPE);
    }
  }

  @Test
  void fetch_textLikeTypes_areAccepted() {
    try (LoopbackServer server = LoopbackServer.start()) {
      server.route("/md", Reply.of(200, "text/markdown; charset=utf-8", "# Notes\n\nHello."));
      server.route("/json", Reply.json("{\"a\":1}"));
      server.route("/xml", Reply.of(200, "application/xml", "<a>1</a>"));

      assertThat(fetcher.fetch(server.url("/md")).contentType()).isEqualTo("text/markdown");
      assertThat(fetcher.fetch(server.url("/json")).body()).isEqualTo("{\"a\":1}");
      assertThat(fetcher.fetch(server.url("/xml")).contentType()).isEqualTo("application/xml");
    }
  }

  @Test
  void fetch_cloudflareChallenge_isChallenge() {
    assertThatThrownBy(() -> fetcher.fetch(web.url("/docs/challenge.html")))
        .isInstanceOfSatisfying(
            FetchException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.CHALLENGE);
              assertThat(e.httpStatus()).hasValue(403);
            });
  }

  @Test
  void fetch_duckDuckGoAnomalyPageWith200_isChallenge() {
    try (LoopbackServer server = LoopbackServer.start()) {
      server.route("/", Reply.html(Fixtures.text("duckduckgo-anomaly.html")));

      assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(server.url("/"))))
          .isEqualTo(Reason.CHALLENGE);
    }
  }

  @Test
  void fetch_articleAboutCaptchas_isContentButCaptchaWallIsChallenge() {
    try (LoopbackServer server = LoopbackServer.start()) {
      server.route(
          "/a",
          Reply.html(
              "<title>How CAPTCHA systems work</title><p>A captcha asks: are you a robot?</p>"));
      server.route(
          "/robot",
          Reply.html(
              "<title>Are you a robot?</title><form action=\"/verify\"><div class=\"g-recaptcha\">"
                  + "</div></form>"));

      assertThat(fetcher.fetch(server.url("/a")).body()).contains("are you a robot?");
      assertThat(FetchFailures.reasonOf(() -> fetcher.fetch(server.url("/robot"))))
          .isEqualTo(Reason.CHALLENGE);
    }
  }

  @Test
  void fetch_notFound_isHttpErrorWithStatus() {
    assertThatThrownBy(() -> fetcher.fetch(web.url("/docs/missing.html")))
        .isInstanceOfSatisfying(
            FetchException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.HTTP_ERROR);
              assertThat(e.httpStatus()).hasValue(404);
            });
  }

  @Test
  void fetch_slowServer_timesOutWithinTheDeadline() {
    try (LoopbackServer server = LoopbackServer.start()) {
      server.route(
          "/slow",
          request -> {
            Thread.sleep(3_000);
            return Reply.html("late");
          });
      SafeFetcher quick =
          SafeFetcher.create(new SophiaConfig.Fetch(300, 200_000, 5, "t", List.of("127.0.0.0/8")));

      long started = System.nanoTime();
      assertThat(FetchFailures.reasonOf(() -> quick.fetch(server.url("/slow"))))
          .isEqualTo(Reason.TIMEOUT);
      assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2_000);
    }
  }

  @Test
  void fetch_declaredLatin1Charset_isDecoded() {
    try (LoopbackServer server = LoopbackServer.start()) {
      byte[] body =
          "<p>Caf\u00e9 cr\u00e8me \u2013 na\u00efve</p>".getBytes(Charset.forName("windows-1252"));
      server.route("/header", Reply.of(200, "text/html; charset=ISO-8859-1", body));
      byte[] meta =
          ("<html><head><meta charset=\"windows-1252\"></head><body><p>Gr\u00fc\u00dfe</p></body></html>")
              .getBytes(Charset.forName("windows-1252"));
      server.route("/meta", Reply.of(200, "text/html", meta));

      assertThat(fetcher.fetch(server.url("/header")).body())
          .contains("Caf\u00e9 cr\u00e8me \u2013 na\u00efve");
      assertThat(fetcher.fetch(server.url("/meta")).body()).contains("Gr\u00fc\u00dfe");
    }
  }
}
