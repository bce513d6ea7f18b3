package ai.sophia.web;

import ai.sophia.web.LoopbackServer.Reply;
import java.util.List;

/**
 * A small documentation site ("Heliograph", a fictional metrics relay) served on loopback, for
 * tests of fetching, crawling, ingest and research end to end. Pages are real HTML with navigation,
 * headers, footers and asides around the content (src/test/resources/localweb).
 *
 * <p>Under {@code /docs/}: {@code index.html} links to everything below; {@code guide.html}
 * (article, og:title, published 2024-03-05, canonical), {@code install.html} and its duplicate
 * {@code install-mirror.html}, {@code configuration.html} (no main element, JSON-LD date), {@code
 * faq.html}, {@code deep/level2.html} → {@code level3} → {@code level4}, {@code orphan.html} (only
 * in the sitemap), {@code private/notes.html} (disallowed by robots.txt), {@code logo.png}
 * (binary), {@code huge.html} ({@link #HUGE_BYTES}), {@code challenge.html} (a Cloudflare
 * challenge, 403), {@code r/3} (three redirects to {@code redirected.html}) and {@code r/6} (six
 * redirects). Outside the prefix: {@code /blog/2024/release.html}. At the root: {@code robots.txt}
 * and {@code sitemap.xml}.
 */
public final class LocalWeb implements AutoCloseable {
  /** The crawl's start page. */
  public static final String START = "/docs/index.html";

  /** Size of {@code /docs/huge.html}; set {@code max_bytes} below it to see it refused. */
  public static final int HUGE_BYTES = 300_000;

  /** Pages a full crawl from {@link #START} reads (depth ≥ 4, no page limit). */
  public static final List<String> CRAWLABLE =
      List.of(
          "/docs/index.html",
          "/docs/guide.html",
          "/docs/install.html",
          "/docs/configuration.html",
          "/docs/faq.html",
          "/docs/orphan.html",
          "/docs/redirected.html",
          "/docs/deep/level2.html",
          "/docs/deep/level3.html",
          "/docs/deep/level4.html");

  /** Pages served as they are, beyond those a crawl reads. */
  private static final List<String> OTHER_PAGES =
      List.of("/docs/private/notes.html", "/blog/2024/release.html");

  private final LoopbackServer server;

  private LocalWeb() {
    server = LoopbackServer.start();
    for (String page : CRAWLABLE) {
      server.route(page, Reply.html(resource(page)));
    }
    for (String page : OTHER_PAGES) {
      server.route(page, Reply.html(resource(page)));
    }
    // Same content as install.html under another URL and title: a duplicate by content only.
    server.route(
        "/docs/install-mirror.html",
        Reply.html(resource("/docs/install.html").replace("</title>", " (mirror)</title>")));
    server.route(
        "/docs/challenge.html",
        Reply.of(403, "text/html; charset=UTF-8", resource("/docs/challenge.html")));
    server.route("/docs/logo.png", Reply.of(200, "image/png", png()));
    server.route("/docs/huge.html", Reply.html(huge()));
    chain(3);
    chain(6);
    server.route(
        "/robots.txt",
        Reply.of(
            200,
            "text/plain",
            """
            # Heliograph docs
            User-agent: *
            Disallow: /docs/private/

            Sitemap: %s
            """
                .formatted(url("/sitemap.xml"))));
    server.route("/sitemap.xml", Reply.of(200, "application/xml", sitemap()));
  }

  /** Starts the site on a free loopback port. */
  public static LocalWeb start() {
    return new LocalWeb();
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public String url(String path) {
    return server.url(path);
  }

  /** The server, to add routes or inspect the requests received. */
  public LoopbackServer server() {
    return server;
  }

  /**
   * {@code /docs/r/<hops>} redirects {@code hops} times before landing on redirected.html, through
   * {@code /docs/r/<hops>.<k>}; Locations alternate between absolute URLs and relative paths.
   */
  private void chain(int hops) {
    for (int k = hops; k >= 1; k--) {
      String path = k == hops ? "/docs/r/" + hops : "/docs/r/" + hops + "." + k;
      String relative = k == 1 ? "../redirected.html" : hops + "." + (k - 1);
      String absolute = url(k == 1 ? "/docs/redirected.html" : "/docs/r/" + hops + "." + (k - 1));
      server.route(path, Reply.redirect(k % 2 == 0 ? 301 : 302, k % 2 == 0 ? relative : absolute));
    }
  }

  private String sitemap() {
    StringBuilder xml =
        new StringBuilder(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (String path :
        List.of(
            "/docs/index.html",
            "/docs/guide.html",
            "/docs/orphan.html",
            "/blog/2024/release.html")) {
      xml.append("  <url><loc>")
          .append(url(path))
          .append("</loc><lastmod>2024-03-05</lastmod></url>\n");
    }
    return xml.append("</urlset>\n").toString();
  }

  private static String huge() {
    StringBuilder html =
        new StringBuilder(
            "<!DOCTYPE html><html><head><title>Metrics catalogue</title></head><body><main>");
    int n = 0;
    while (html.length() < HUGE_BYTES) {
      html.append("<p>Metric heliograph.series.")
          .append(n++)
          .append(" counts one kind of event.</p>\n");
    }
    return html.append("</main></body></html>").toString();
  }

  private static byte[] png() {
    byte[] bytes = new byte[512];
    byte[] signature = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d};
    System.arraycopy(signature, 0, bytes, 0, signature.length);
    return bytes;
  }

  /** The text of a page under src/test/resources/localweb. */
  public static String resource(String path) {
    return Fixtures.resource("/localweb" + path);
  }

  @Override
  public void close() {
    server.close();
  }
}
