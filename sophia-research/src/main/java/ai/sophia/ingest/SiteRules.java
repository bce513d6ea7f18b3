package ai.sophia.ingest;

import ai.sophia.web.FetchException;
import ai.sophia.web.FetchedPage;
import ai.sophia.web.SafeFetcher;
import crawlercommons.robots.BaseRobotRules;
import crawlercommons.robots.SimpleRobotRulesParser;
import crawlercommons.sitemaps.AbstractSiteMap;
import crawlercommons.sitemaps.SiteMap;
import crawlercommons.sitemaps.SiteMapIndex;
import crawlercommons.sitemaps.SiteMapParser;
import crawlercommons.sitemaps.SiteMapURL;
import crawlercommons.sitemaps.UnknownFormatException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import okhttp3.HttpUrl;

/**
 * A site's robots.txt rules (RFC 9309 via crawler-commons) and the page URLs its sitemaps list. A
 * missing robots.txt (4xx) allows everything; an unreachable one (5xx, timeout) allows nothing, as
 * RFC 9309 says.
 */
final class SiteRules {
  private static final long MAX_CRAWL_DELAY_MS = 60_000;

  /** Sitemap files read per crawl, indexes included. */
  private static final int MAX_SITEMAPS = 20;

  private final BaseRobotRules robots;

  private SiteRules(BaseRobotRules robots) {
    this.robots = robots;
  }

  /** Reads {@code origin}/robots.txt for the robot named in {@code userAgent}. */
  static SiteRules load(
      SafeFetcher fetcher, URI origin, String userAgent, BiConsumer<String, String> skip) {
    SimpleRobotRulesParser parser = new SimpleRobotRulesParser(MAX_CRAWL_DELAY_MS, 10);
    String robotsUrl = origin.resolve("/robots.txt").toString();
    try {
      FetchedPage page = fetcher.fetch(robotsUrl);
      byte[] body = page.body().getBytes(StandardCharsets.UTF_8);
      return new SiteRules(
          parser.parseContent(robotsUrl, body, page.contentType(), List.of(robotName(userAgent))));
    } catch (FetchException e) {
      if (e.httpStatus().isPresent()) {
        return new SiteRules(parser.failedFetch(e.httpStatus().getAsInt()));
      }
      if (e.reason() == FetchException.Reason.TIMEOUT
          || e.reason() == FetchException.Reason.IO_ERROR) {
        skip.accept(
            robotsUrl, "robots.txt unreachable, so nothing may be crawled: " + e.getMessage());
        return new SiteRules(parser.failedFetch(503));
      }
      // Not a robots file at all (binary, oversized, challenge): no rules.
      return new SiteRules(parser.failedFetch(404));
    }
  }

  /** The robots.txt product token: "SophiaBot/0.1 (+...)" gives "sophiabot". */
  static String robotName(String userAgent) {
    String token = userAgent.strip().split("[/\\s]", 2)[0];
    return token.toLowerCase(Locale.ROOT);
  }

  boolean allowed(String url) {
    return robots.isAllowed(url);
  }

  /** The Crawl-delay in milliseconds, 0 when robots.txt sets none. */
  long crawlDelayMillis() {
    long delay = robots.getCrawlDelay();
    return delay == BaseRobotRules.UNSET_CRAWL_DELAY ? 0 : Math.max(0, delay);
  }

  /** Sitemaps named in robots.txt, then {@code origin}/sitemap.xml. */
  List<String> sitemapLocations(URI origin) {
    Set<String> out = new LinkedHashSet<>(robots.getSitemaps());
    out.add(origin.resolve("/sitemap.xml").toString());
    return List.copyOf(out);
  }

  /**
   * Page URLs listed by the sitemaps at {@code locations}, following sitemap indexes; files that
   * cannot be read are reported through {@code skip} (a missing sitemap.xml is not reported). Only
   * sitemaps on the crawl's own scheme, host and port are read: robots.txt and sitemap indexes are
   * input, and may not send the crawler to other hosts.
   */
  static List<String> sitemapUrls(
      SafeFetcher fetcher,
      List<String> locations,
      Politeness politeness,
      CrawlScope scope,
      BiConsumer<String, String> skip)
      throws InterruptedException {
    SiteMapParser parser = new SiteMapParser(false);
    Deque<String> pending = new ArrayDeque<>(locations);
    Set<String> read = new LinkedHashSet<>();
    List<String> pages = new ArrayList<>();
    while (!pending.isEmpty() && read.size() < MAX_SITEMAPS) {
      String location = pending.poll();
      if (!read.add(location)) {
        continue;
      }
      HttpUrl parsed = HttpUrl.parse(location);
      if (parsed == null || !scope.sameOrigin(parsed)) {
        skip.accept(location, "sitemap not read: not on the crawl's site " + scope.origin());
        continue;
      }
      try {
        politeness.await(scope.host());
        FetchedPage page = fetcher.fetch(location);
        if (!scope.sameOrigin(HttpUrl.get(page.finalUrl()))) {
          skip.accept(
              location,
              "sitemap not read: redirected to "
                  + page.finalUrl()
                  + ", not on the crawl's site "
                  + scope.origin());
          continue;
        }
        AbstractSiteMap map =
            parser.parseSiteMap(
                page.contentType(),
                page.body().getBytes(StandardCharsets.UTF_8),
                page.finalUrl().toURL());
        if (map instanceof SiteMapIndex index) {
          index.getSitemaps().forEach(child -> pending.add(child.getUrl().toString()));
        } else if (map instanceof SiteMap siteMap) {
          for (SiteMapURL entry : siteMap.getSiteMapUrls()) {
            pages.add(entry.getUrl().toString());
          }
        }
      } catch (FetchException e) {
        if (e.httpStatus().orElse(0) != 404) {
          skip.accept(location, "sitemap not read: " + e.getMessage());
        }
      } catch (UnknownFormatException | IOException e) {
        skip.accept(location, "sitemap not read: " + e.getMessage());
      }
    }
    return pages;
  }
}
