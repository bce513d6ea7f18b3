package ai.sophia.ingest;

import ai.sophia.config.SophiaConfig;
import ai.sophia.web.ExtractedPage;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.SafeFetcher;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Crawls a site within the URL prefix of its start page for {@code sophia ingest <url>}:
 * breadth-first up to {@code ingest.max_pages} pages and {@code ingest.max_depth} links deep,
 * obeying robots.txt (rules and Crawl-delay), seeding from the site's sitemaps, waiting {@code
 * ingest.delay_ms_per_host} between requests, and skipping pages whose canonical URL or content was
 * already read. Fetches go through the given {@link SafeFetcher}, so an intranet needs one built
 * with {@code allowPrivate}. Storage is the caller's: pages are handed to a consumer as they are
 * read.
 */
public final class Crawler {
  private final SafeFetcher fetcher;
  private final PageExtractor extractor;
  private final SophiaConfig.Ingest limits;
  private final String userAgent;

  private Crawler(
      SafeFetcher fetcher, PageExtractor extractor, SophiaConfig.Ingest limits, String userAgent) {
    this.fetcher = fetcher;
    this.extractor = extractor;
    this.limits = limits;
    this.userAgent = userAgent;
  }

  /**
   * A crawler; {@code userAgent} is the one the fetcher sends, whose product token (such as {@code
   * SophiaBot}) is matched against robots.txt groups.
   */
  public static Crawler create(
      SafeFetcher fetcher, PageExtractor extractor, SophiaConfig.Ingest limits, String userAgent) {
    return new Crawler(
        Objects.requireNonNull(fetcher, "fetcher"),
        Objects.requireNonNull(extractor, "extractor"),
        Objects.requireNonNull(limits, "limits"),
        Objects.requireNonNull(userAgent, "userAgent"));
  }

  /**
   * Crawls from {@code startUrl}, handing each new page to {@code pages}.
   *
   * @throws ai.sophia.web.FetchException when the start URL itself may not be fetched (not http(s),
   *     unknown host, or a private address without {@code --allow-private})
   */
  public IngestReport crawl(
      String startUrl, Consumer<ExtractedPage> pages, IngestProgress progress) {
    Objects.requireNonNull(pages, "pages");
    Objects.requireNonNull(progress, "progress");
    var start = fetcher.check(Objects.requireNonNull(startUrl, "startUrl"));
    return new CrawlRun(fetcher, extractor, limits, userAgent, start, pages, progress).run();
  }
}
