package ai.sophia.bench;

import ai.sophia.cache.CacheRegistry;
import ai.sophia.cache.SharedCache;
import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.redis.Redis;
import ai.sophia.redis.TestRedis;
import ai.sophia.research.ResearchCaches;
import ai.sophia.research.SharedPage;
import ai.sophia.search.SearchProviders;
import ai.sophia.search.SearchRouter;
import ai.sophia.web.FetchedPage;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.SafeFetcher;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Does sharing search results and fetched pages through Redis pay? Per query (per URL), one at a
 * time: what a node does on a miss, against reading what another node left in Redis (a second
 * connection, as on a second node), against a real redis-server and one loopback server playing
 * SearXNG (10 results in its JSON) and a web site (a 40 KB article). On a miss the search is the
 * real SearXNG provider through the router and its write to Redis; the page is the SSRF-safe fetch,
 * the extraction and the write. On a hit the router reads Redis; the page is read from Redis and
 * its hops pass this node's address check again, as research does. Distinct queries and URLs, so no
 * in-process cache helps. Loopback is a miss's best case: a real engine or site adds the network.
 */
public final class SharedResearchCache {
  private SharedResearchCache() {}

  public static void main(String[] args) {
    Flags flags = Flags.parse(args, Set.of("queries"));
    int requests = flags.integer("queries", 500, 10, 100_000);
    int warmup = 50;
    try (TestRedis server = TestRedis.startPrivate();
        LoopbackServer web = LoopbackServer.start()) {
      web.route("/searx/search", request -> Reply.json(searxJson(web)));
      String article = article();
      for (int i = 0; i < requests + warmup; i++) {
        web.route("/articles/" + i + ".html", Reply.html(article));
      }
      Map<String, String> env = new HashMap<>(server.env());
      env.put("SOPHIA_PROVIDERS_SEARXNG_BASE_URL", web.url("/searx"));
      env.put("SOPHIA_RESEARCH_FETCH_ALLOWED_PRIVATE_RANGES", "127.0.0.0/8");
      SophiaConfig config = ConfigLoader.create(env).load(Optional.empty());
      SafeFetcher fetcher = SafeFetcher.create(config.research().fetch());
      PageExtractor extractor = PageExtractor.create();
      try (Redis nodeA = Redis.connect(config.redis(), Secrets.create(env));
          Redis nodeB = Redis.connect(config.redis(), Secrets.create(env))) {
        ResearchCaches cachesA = ResearchCaches.redis(nodeA, config);
        ResearchCaches cachesB = ResearchCaches.redis(nodeB, config);
        SearchRouter routerA = router(config, env, cachesA);
        SearchRouter routerB = router(config, env, cachesB);
        double[] search = new double[requests];
        double[] searchHit = new double[requests];
        double[] fetch = new double[requests];
        double[] fetchHit = new double[requests];
        double[] fetchAlone = new double[requests];
        for (int i = 0; i < requests + warmup; i++) {
          String query = "how does write-ahead logging protect transaction number " + i;
          long t0 = System.nanoTime();
          String engineA = routerA.search("searxng", query, 10).attempts().getFirst().detail();
          long t1 = System.nanoTime();
          String engineB = routerB.search("searxng", query, 10).attempts().getFirst().detail();
          long t2 = System.nanoTime();
          String url = web.url("/articles/" + i + ".html");
          double fetchOnly = fetchHere(fetcher, extractor, cachesA.pages(), url);
          long t3 = System.nanoTime();
          SharedPage shared = cachesB.pages().get(url).orElseThrow();
          fetcher.check(url);
          shared.hops().forEach(fetcher::check);
          long t4 = System.nanoTime();
          if (engineA.contains("cached") || !engineB.contains("shared cache")) {
            throw new IllegalStateException("expected a miss on A and a shared hit on B");
          }
          if (i >= warmup) {
            search[i - warmup] = (t1 - t0) / 1e6;
            searchHit[i - warmup] = (t2 - t1) / 1e6;
            fetch[i - warmup] = (t3 - t2) / 1e6;
            fetchAlone[i - warmup] = fetchOnly;
            fetchHit[i - warmup] = (t4 - t3) / 1e6;
          }
        }
        System.out.printf(
            "%d searches and %d pages (%d bytes of HTML each), %d cores%n",
            requests, requests, article.length(), Runtime.getRuntime().availableProcessors());
        System.out.println("| path | p50 | p99 | mean |");
        System.out.println("|---|---:|---:|---:|");
        row("search: SearXNG on loopback, then written to Redis (a miss)", search);
        row("search: read from Redis, put there by another node (a hit)", searchHit);
        row("page: fetched on loopback and extracted, then written to Redis (a miss)", fetch);
        row("  of which the HTTP fetch alone", fetchAlone);
        row("page: read from Redis and its hops checked again (a hit)", fetchHit);
        System.out.printf(
            "at the median a search hit takes %.1f %% of a search, a page hit %.1f %% of a fetch%n",
            100 * Percentile.of(searchHit, 0.5) / Percentile.of(search, 0.5),
            100 * Percentile.of(fetchHit, 0.5) / Percentile.of(fetch, 0.5));
      }
    }
  }

  private static SearchRouter router(
      SophiaConfig config, Map<String, String> env, ResearchCaches caches) {
    return SearchRouter.create(
        SearchProviders.create(config, Secrets.create(env)),
        List.of(),
        CacheRegistry.create(),
        config.cache(),
        caches.searches());
  }

  /**
   * What research does with a page no node has: fetch, extract, offer it to the others. Returns the
   * time of the fetch alone, in ms.
   */
  private static double fetchHere(
      SafeFetcher fetcher, PageExtractor extractor, SharedCache<SharedPage> pages, String url) {
    long started = System.nanoTime();
    FetchedPage fetched = fetcher.fetch(URI.create(url));
    double fetchMs = (System.nanoTime() - started) / 1e6;
    pages.put(url, SharedPage.of(fetched, extractor.extract(fetched)));
    return fetchMs;
  }

  private static String searxJson(LoopbackServer web) {
    StringBuilder json = new StringBuilder("{\"query\":\"q\",\"results\":[");
    for (int i = 0; i < 10; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"url\":\"")
          .append(web.url("/articles/" + i + ".html"))
          .append("\",\"title\":\"Write-ahead logging, part ")
          .append(i)
          .append("\",\"content\":\"The log is written before the data pages, so a crash")
          .append(" loses nothing that was committed.\",\"engine\":\"bench\"}");
    }
    return json.append("]}").toString();
  }

  private static String article() {
    StringBuilder html =
        new StringBuilder(
            "<!doctype html><html><head><title>Write-ahead logging</title></head><body>"
                + "<nav><a href=\"/\">Home</a></nav><main><h1>Write-ahead logging</h1>");
    for (int i = 0; html.length() < 40_000; i++) {
      html.append("<p>Paragraph ")
          .append(i)
          .append(": before a change reaches the data files it is appended to the log and")
          .append(" flushed, so after a crash the database replays the log from the last")
          .append(" checkpoint and every committed transaction is there again.</p>");
    }
    return html.append("</main><footer>© bench</footer></body></html>").toString();
  }

  private static void row(String label, double[] ms) {
    QueryEmbeddingCache.row(label, ms);
  }
}
