package ai.sophia.ingest;

import ai.sophia.config.SophiaConfig;
import ai.sophia.web.ExtractedPage;
import ai.sophia.web.FetchException;
import ai.sophia.web.FetchedPage;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.SafeFetcher;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The state of one crawl: queue, what was seen, what was skipped. Used once, by one thread. */
final class CrawlRun {
  private static final Logger LOG = LoggerFactory.getLogger(CrawlRun.class);

  private record Pending(HttpUrl url, int depth) {}

  private final SafeFetcher fetcher;
  private final PageExtractor extractor;
  private final SophiaConfig.Ingest limits;
  private final String userAgent;
  private final HttpUrl start;
  private final CrawlScope scope;
  private final Consumer<ExtractedPage> sink;
  private final IngestProgress progress;
  private final Politeness politeness;

  private final Deque<Pending> queue = new ArrayDeque<>();
  private final Set<String> seenUrls = new HashSet<>();
  private final Set<String> seenCanonical = new HashSet<>();
  private final Map<String, String> seenContent = new HashMap<>();
  private final List<IngestReport.Skipped> skipped = new ArrayList<>();
  private SiteRules rules;
  private int pagesRead;

  CrawlRun(
      SafeFetcher fetcher,
      PageExtractor extractor,
      SophiaConfig.Ingest limits,
      String userAgent,
      URI start,
      Consumer<ExtractedPage> sink,
      IngestProgress progress) {
    this.fetcher = fetcher;
    this.extractor = extractor;
    this.limits = limits;
    this.userAgent = userAgent;
    this.start = HttpUrl.get(start).newBuilder().fragment(null).build();
    this.scope = CrawlScope.of(this.start);
    this.sink = sink;
    this.progress = progress;
    this.politeness = new Politeness(limits.delayMsPerHost());
  }

  IngestReport run() {
    try {
      URI origin = scope.origin().uri();
      politeness.await(scope.host());
      rules = SiteRules.load(fetcher, origin, userAgent, this::skip);
      politeness.atLeast(rules.crawlDelayMillis());
      offer(start, 0);
      List<String> listed =
          SiteRules.sitemapUrls(
              fetcher, rules.sitemapLocations(origin), politeness, scope, this::skip);
      for (String url : listed) {
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed != null) {
          offer(parsed, 1);
        }
      }
      while (!queue.isEmpty() && pagesRead < limits.maxPages()) {
        Pending next = queue.poll();
        progress.update(pagesRead, queue.size(), next.url().toString());
        politeness.await(scope.host());
        visit(next);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.info("crawl of {} interrupted after {} pages", start, pagesRead);
      return finish(false);
    }
    return finish(queue.isEmpty());
  }

  private IngestReport finish(boolean complete) {
    progress.update(pagesRead, 0, "");
    return new IngestReport(pagesRead, skipped, complete);
  }

  private void visit(Pending pending) {
    String url = pending.url().toString();
    FetchedPage fetched;
    try {
      fetched = fetcher.fetch(url);
    } catch (FetchException e) {
      skip(url, e.reason().name().toLowerCase(Locale.ROOT) + ": " + e.getMessage());
      return;
    }
    HttpUrl finalUrl = HttpUrl.get(fetched.finalUrl());
    if (!finalUrl.equals(pending.url())) {
      if (!scope.contains(finalUrl)) {
        skip(url, "redirected outside the crawl prefix to " + finalUrl);
        return;
      }
      if (!seenUrls.add(finalUrl.newBuilder().fragment(null).build().toString())) {
        skip(url, "redirected to " + finalUrl + ", already seen");
        return;
      }
    }
    ExtractedPage page = extractor.extract(fetched);
    if (!seenCanonical.add(page.canonicalUrl())) {
      skip(url, "duplicate of " + page.canonicalUrl());
      return;
    }
    seenCanonical.add(page.url());
    if (page.text().isBlank()) {
      skip(url, "no text");
      return;
    }
    String earlier = seenContent.putIfAbsent(ContentHash.of(page.text()), url);
    if (earlier != null) {
      skip(url, "same content as " + earlier);
      return;
    }
    sink.accept(page);
    pagesRead++;
    if (pending.depth() < limits.maxDepth()) {
      for (String link : page.links()) {
        HttpUrl parsed = HttpUrl.parse(link);
        if (parsed != null) {
          offer(parsed, pending.depth() + 1);
        }
      }
    }
  }

  private void offer(HttpUrl url, int depth) {
    if (depth > limits.maxDepth() || !scope.contains(url)) {
      return;
    }
    HttpUrl clean = url.newBuilder().fragment(null).build();
    String key = clean.toString();
    if (!seenUrls.add(key)) {
      return;
    }
    if (!rules.allowed(key)) {
      skip(key, "disallowed by robots.txt");
      return;
    }
    queue.add(new Pending(clean, depth));
  }

  private void skip(String location, String reason) {
    LOG.debug("skipped {}: {}", location, reason);
    skipped.add(new IngestReport.Skipped(location, reason));
  }
}
