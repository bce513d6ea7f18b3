package ai.sophia.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.SophiaConfig;
import ai.sophia.web.ExtractedPage;
import ai.sophia.web.FetchConfigs;
import ai.sophia.web.FetchException;
import ai.sophia.web.LocalWeb;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.SafeFetcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Crawls the loopback {@link LocalWeb}, opened to the fetcher through the operator allow-list. */
class CrawlerTest {
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

  private static Crawler crawler(SafeFetcher fetcher, int maxPages, int maxDepth, int delayMs) {
    return Crawler.create(
        fetcher,
        PageExtractor.create(),
        new SophiaConfig.Ingest(maxPages, maxDepth, delayMs),
        FetchConfigs.USER_AGENT);
  }

  private record Crawl(List<ExtractedPage> pages, IngestReport report) {
    List<String> paths() {
      return pages.stream()
          .map(p -> p.url().replaceFirst("^http://127\\.0\\.0\\.1:\\d+", ""))
          .toList();
    }

    String reasonFor(String pathEnd) {
      return report.skipped().stream()
          .filter(s -> s.location().endsWith(pathEnd))
          .map(IngestReport.Skipped::reason)
          .findFirst()
          .orElse("(not skipped)");
    }
  }

  private Crawl crawl(Crawler crawler, String start) {
    List<ExtractedPage> pages = new ArrayList<>();
    IngestReport report = crawler.crawl(start, pages::add, IngestProgress.none());
    return new Crawl(pages, report);
  }

  @Test
  void crawl_docsSite_readsEveryPageInPrefixOnce() {
    Crawl crawl = crawl(crawler(fetcher, 100, 5, 0), web.url(LocalWeb.START));

    assertThat(crawl.paths()).containsExactlyInAnyOrderElementsOf(LocalWeb.CRAWLABLE);
    assertThat(crawl.paths().getFirst()).isEqualTo(LocalWeb.START);
    assertThat(crawl.report().pagesRead()).isEqualTo(LocalWeb.CRAWLABLE.size());
    assertThat(crawl.report().complete()).isTrue();
  }

  @Test
  void crawl_docsSite_obeysRobotsAndStaysInPrefix() {
    Crawl crawl = crawl(crawler(fetcher, 100, 5, 0), web.url(LocalWeb.START));

    assertThat(crawl.reasonFor("/docs/private/notes.html")).contains("robots.txt");
    assertThat(web.server().requests("/docs/private/notes.html")).isEmpty();
    assertThat(web.server().requests("/blog/2024/release.html")).isEmpty();
    assertThat(crawl.paths()).noneMatch(p -> p.startsWith("/blog/"));
  }

  @Test
  void crawl_docsSite_reportsWhyPagesWereSkipped() {
    Crawl crawl = crawl(crawler(fetcher, 100, 5, 0), web.url(LocalWeb.START));

    assertThat(crawl.reasonFor("/docs/logo.png")).startsWith("unsupported_content_type");
    assertThat(crawl.reasonFor("/docs/huge.html")).startsWith("too_large");
    assertThat(crawl.reasonFor("/docs/challenge.html")).startsWith("challenge");
    assertThat(crawl.reasonFor("/docs/r/6")).startsWith("too_many_redirects");
    assertThat(crawl.reasonFor("/docs/guide.html?ref=home"))
        .contains("duplicate of")
        .contains("/docs/guide.html");
    assertThat(crawl.reasonFor("/docs/install-mirror.html"))
        .contains("same content as")
        .contains("/docs/install.html");
  }

  @Test
  void crawl_redirectChain_storesThePageUnderItsFinalUrl() {
    Crawl crawl = crawl(crawler(fetcher, 100, 5, 0), web.url(LocalWeb.START));

    ExtractedPage landed =
        crawl.pages().stream()
            .filter(p -> p.url().endsWith("/docs/redirected.html"))
            .findFirst()
            .orElseThrow();
    assertThat(landed.title()).isEqualTo("Upgrade notes");
  }

  @Test
  void crawl_sitemap_addsPagesNoLinkPointsTo() {
    Crawl crawl = crawl(crawler(fetcher, 100, 1, 0), web.url(LocalWeb.START));

    assertThat(crawl.paths()).contains("/docs/orphan.html");
    assertThat(web.server().requests("/sitemap.xml")).isNotEmpty();
  }

  @Test
  void crawl_maxDepth_stopsFollowingLinksDeeper() {
    Crawl crawl = crawl(crawler(fetcher, 100, 2, 0), web.url(LocalWeb.START));

    assertThat(crawl.paths()).contains("/docs/guide.html", "/docs/deep/level2.html");
    assertThat(crawl.paths()).doesNotContain("/docs/deep/level3.html", "/docs/deep/level4.html");
  }

  @Test
  void crawl_maxDepthZero_readsOnlyTheStartPage() {
    Crawl crawl = crawl(crawler(fetcher, 100, 0, 0), web.url(LocalWeb.START));

    assertThat(crawl.paths()).containsExactly(LocalWeb.START);
  }

  @Test
  void crawl_maxPages_stopsAndSaysIncomplete() {
    Crawl crawl = crawl(crawler(fetcher, 3, 5, 0), web.url(LocalWeb.START));

    assertThat(crawl.pages()).hasSize(3);
    assertThat(crawl.report().complete()).isFalse();
  }

  @Test
  void crawl_startInSubdirectory_keepsToThatDirectory() {
    Crawl crawl = crawl(crawler(fetcher, 100, 5, 0), web.url("/docs/deep/level2.html"));

    assertThat(crawl.paths())
        .containsExactlyInAnyOrder(
            "/docs/deep/level2.html", "/docs/deep/level3.html", "/docs/deep/level4.html");
  }

  @Test
  void crawl_progress_countsUpAndEndsWithNothingQueued() {
    List<int[]> updates = new ArrayList<>();
    List<String> current = new ArrayList<>();

    crawler(fetcher, 100, 5, 0)
        .crawl(
            web.url(LocalWeb.START),
            page -> {},
            (done, queued, url) -> {
              updates.add(new int[] {done, queued});
              current.add(url);
            });

    assertThat(current.getFirst()).isEqualTo(web.url(LocalWeb.START));
    assertThat(updates.getLast()).containsExactly(LocalWeb.CRAWLABLE.size(), 0);
    for (int i = 1; i < updates.size(); i++) {
      assertThat(updates.get(i)[0]).isGreaterThanOrEqualTo(updates.get(i - 1)[0]);
    }
  }

  @Test
  void crawl_politenessDelay_spacesRequestsToTheHost() {
    long started = System.nanoTime();

    Crawl crawl = crawl(crawler(fetcher, 2, 5, 150), web.url(LocalWeb.START));

    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    // robots.txt, sitemap.xml, then two pages: three waits of 150 ms at least.
    assertThat(crawl.pages()).hasSize(2);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(450);
  }

  @Test
  void crawl_robotsCrawlDelay_raisesTheDelay() {
    try (LoopbackServer site = LoopbackServer.start()) {
      site.route(
          "/robots.txt",
          Reply.of(200, "text/plain", "User-agent: SophiaBot\nCrawl-delay: 0.4\nDisallow: /x/\n"));
      site.route(
          "/a.html",
          Reply.html(
              "<title>A</title><main><p>Page A links to <a href=\"b.html\">B</a>.</p></main>"));
      site.route(
          "/b.html", Reply.html("<title>B</title><main><p>Page B is the second page.</p></main>"));
      long started = System.nanoTime();

      Crawl crawl = crawl(crawler(fetcher, 10, 3, 0), site.url("/a.html"));

      assertThat(crawl.paths()).containsExactly("/a.html", "/b.html");
      // robots.txt, sitemap.xml (404), a.html, b.html: three waits of 400 ms.
      assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(1_200);
    }
  }

  @Test
  void crawl_robotsUnavailable5xx_crawlsNothing() {
    try (LoopbackServer site = LoopbackServer.start()) {
      site.route("/robots.txt", Reply.status(503));
      site.route("/a.html", Reply.html("<title>A</title><main><p>Page A.</p></main>"));

      Crawl crawl = crawl(crawler(fetcher, 10, 3, 0), site.url("/a.html"));

      assertThat(crawl.pages()).isEmpty();
      assertThat(crawl.reasonFor("/a.html")).contains("robots.txt");
      assertThat(site.requests("/a.html")).isEmpty();
    }
  }

  @Test
  void crawl_sitemapsOnOtherHosts_areSkippedUnreadWithTheReason() {
    try (LoopbackServer site = LoopbackServer.start();
        LoopbackServer other = LoopbackServer.start()) {
      String elsewhere = other.url("/sitemap.xml");
      String index = "http://localhost:" + site.port() + "/index.xml";
      site.route(
          "/robots.txt",
          Reply.of(
              200,
              "text/plain",
              "User-agent: *\nSitemap: %s\nSitemap: %s\nSitemap: %s\n"
                  .formatted(elsewhere, index, site.url("/own.xml"))));
      site.route(
          "/own.xml",
          Reply.of(
              200,
              "application/xml",
              """
              <?xml version="1.0" encoding="UTF-8"?>
              <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                <sitemap><loc>%s</loc></sitemap>
              </sitemapindex>
              """
                  .formatted(other.url("/child.xml"))));
      site.route("/a.html", Reply.html("<title>A</title><main><p>Page A.</p></main>"));
      other.route("/sitemap.xml", Reply.of(200, "application/xml", "<urlset/>"));

      Crawl crawl = crawl(crawler(fetcher, 10, 3, 0), site.url("/a.html"));

      assertThat(crawl.paths()).containsExactly("/a.html");
      assertThat(other.requests()).isEmpty();
      assertThat(site.requests("/index.xml")).isEmpty();
      assertThat(site.requests("/own.xml")).hasSize(1);
      assertThat(crawl.reasonFor(elsewhere)).contains("not on the crawl's site");
      assertThat(crawl.reasonFor(index)).contains("not on the crawl's site");
      assertThat(crawl.reasonFor("/child.xml")).contains("not on the crawl's site");
    }
  }

  @Test
  void crawl_loopbackSiteWithoutAllowance_isRefusedAtTheStart() {
    SafeFetcher strict = SafeFetcher.create(FetchConfigs.allowing());

    assertThatThrownBy(() -> crawl(crawler(strict, 100, 5, 0), web.url(LocalWeb.START)))
        .isInstanceOfSatisfying(
            FetchException.class,
            e -> assertThat(e.reason()).isEqualTo(FetchException.Reason.FORBIDDEN_ADDRESS));
  }

  @Test
  void crawl_allowPrivateFlag_opensTheIntranetSite() {
    SafeFetcher intranet = SafeFetcher.builder(FetchConfigs.allowing()).allowPrivate(true).build();

    Crawl crawl = crawl(crawler(intranet, 100, 5, 0), web.url(LocalWeb.START));

    assertThat(crawl.pages()).hasSize(LocalWeb.CRAWLABLE.size());
  }

  @Test
  void crawl_pageLinkingIntoPrivateRange_skipsItWithTheReason() {
    try (LoopbackServer site = LoopbackServer.start()) {
      site.route("/robots.txt", Reply.status(404));
      site.route("/a.html", Reply.html("<main><p>See <a href=\"/go\">the wiki</a>.</p></main>"));
      site.route("/go", Reply.redirect(302, "http://192.168.0.10/wiki"));

      Crawl crawl = crawl(crawler(fetcher, 10, 3, 0), site.url("/a.html"));

      assertThat(crawl.paths()).containsExactly("/a.html");
      assertThat(crawl.reasonFor("/go")).startsWith("forbidden_address").contains("192.168.0.10");
    }
  }

  @Test
  void crawl_pageBodies_areExtractedWithoutBoilerplate() {
    Map<String, ExtractedPage> byPath = new java.util.HashMap<>();
    Crawl crawl = crawl(crawler(fetcher, 100, 5, 0), web.url(LocalWeb.START));
    crawl
        .pages()
        .forEach(p -> byPath.put(p.url().replaceFirst("^http://127\\.0\\.0\\.1:\\d+", ""), p));

    ExtractedPage guide = byPath.get("/docs/guide.html");
    assertThat(guide.publishedDate()).isEqualTo("2024-03-05");
    assertThat(guide.text())
        .contains("flushes aggregates every ten seconds")
        .doesNotContain("On this page");
  }
}
