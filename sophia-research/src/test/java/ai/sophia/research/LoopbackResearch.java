package ai.sophia.research;

import ai.sophia.cache.CacheRegistry;
import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.ingest.Chunker;
import ai.sophia.ingest.Ingestor;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.SqlDocumentStore;
import ai.sophia.memory.SqlOperationsStore;
import ai.sophia.memory.SqlResearchStore;
import ai.sophia.memory.SqliteDatabase;
import ai.sophia.model.ModelGateway;
import ai.sophia.redis.Redis;
import ai.sophia.search.SearchProvider;
import ai.sophia.search.SearchProviders;
import ai.sophia.search.SearchRouter;
import ai.sophia.web.LocalWeb;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.SafeFetcher;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The loopback world research tests run in: a small real web site ({@link LocalWeb}), a
 * SearXNG-format search server whose results are the URLs a test sets, a DuckDuckGo endpoint that
 * always rate-limits, and {@link #open} to build the real research pipeline over them (the real
 * SSRF-safe fetcher with loopback opened by the operator allow-list, real extraction, SQLite,
 * Lucene and the ONNX embedding model) with the model gateway a test chooses.
 */
public final class LoopbackResearch implements AutoCloseable {
  public static final OnnxEmbedder EMBEDDER = OnnxEmbedder.create("all-minilm-l6-v2");

  private final LocalWeb web;
  private final LoopbackServer search;
  private final List<String> results = new CopyOnWriteArrayList<>();

  private LoopbackResearch(LocalWeb web, LoopbackServer search) {
    this.web = web;
    this.search = search;
  }

  public static LoopbackResearch start() {
    LoopbackResearch world = new LoopbackResearch(LocalWeb.start(), LoopbackServer.start());
    world.search.route("/searx/search", request -> LoopbackServer.Reply.json(world.searxJson()));
    world.search.route("/ddg/html/", LoopbackServer.Reply.status(202));
    return world;
  }

  /** The URL of a page of the local web site. */
  public String url(String path) {
    return web.url(path);
  }

  /** The local web site's server, for a test to add pages. */
  public LoopbackServer site() {
    return web.server();
  }

  /** The server playing every search engine, to inspect the requests received. */
  public LoopbackServer searchServer() {
    return search;
  }

  /** What the SearXNG engine answers from now on, in order. */
  public void searchResults(List<String> urls) {
    results.clear();
    results.addAll(urls);
  }

  /** The research pipeline and its stores over a fresh or existing {@code dataDir}. */
  public Stack open(Path dataDir, ModelGateway gateway) {
    return open(dataDir, gateway, "", Map.of());
  }

  /**
   * The research pipeline over {@code dataDir}, configured by {@code yaml} (a sophia.yaml's text)
   * and {@code extraEnv} on top of the loopback world's settings.
   */
  public Stack open(Path dataDir, ModelGateway gateway, String yaml, Map<String, String> extraEnv) {
    return open(dataDir, gateway, yaml, extraEnv, null);
  }

  /**
   * The research pipeline over {@code dataDir} as one node of several sharing {@code redis} (its
   * search results and fetched pages in Redis, as {@code Sophia} wires them with {@code
   * redis.url}).
   */
  public Stack open(Path dataDir, ModelGateway gateway, Map<String, String> extraEnv, Redis redis) {
    return open(dataDir, gateway, "", extraEnv, Objects.requireNonNull(redis, "redis"));
  }

  private Stack open(
      Path dataDir, ModelGateway gateway, String yaml, Map<String, String> extraEnv, Redis redis) {
    Map<String, String> env = new HashMap<>();
    env.put("SOPHIA_DATA_DIR", dataDir.toString());
    env.put("SOPHIA_PROVIDERS_DUCKDUCKGO_BASE_URL", search.url("/ddg/html/"));
    env.put("SOPHIA_PROVIDERS_SEARXNG_BASE_URL", search.url("/searx"));
    env.put("SOPHIA_RESEARCH_FALLBACK_ENGINES", "searxng,local");
    env.put("SOPHIA_RESEARCH_FETCH_ALLOWED_PRIVATE_RANGES", "127.0.0.0/8");
    env.put("SOPHIA_RESEARCH_FETCH_TIMEOUT_MS", "3000");
    env.put("SOPHIA_RESEARCH_FETCH_MAX_BYTES", "200000");
    env.putAll(extraEnv);
    SophiaConfig config = ConfigLoader.create(env).load(Optional.of(yaml(dataDir, yaml)));
    SqliteDatabase db = SqliteDatabase.open(dataDir);
    LuceneDocumentIndex index = LuceneDocumentIndex.open(dataDir, EMBEDDER.model());
    var documents = new SqlDocumentStore(db);
    var operations = new SqlOperationsStore(db);
    CacheRegistry caches = CacheRegistry.create();
    Map<String, SearchProvider> providers =
        new HashMap<>(SearchProviders.create(config, Secrets.create(Map.of())));
    providers.put("local", new LocalSearchProvider(index, EMBEDDER));
    ResearchCaches shared =
        redis == null ? ResearchCaches.local() : ResearchCaches.redis(redis, config);
    SearchRouter router =
        SearchRouter.create(
            providers,
            config.research().fallbackEngines(),
            caches,
            config.cache(),
            shared.searches());
    PageExtractor extractor = PageExtractor.create();
    ResearchService research =
        ResearchService.create(
            config,
            router,
            SafeFetcher.create(config.research().fetch()),
            shared.pages(),
            extractor,
            Chunker.create(),
            EMBEDDER,
            index,
            documents,
            new SqlResearchStore(db),
            operations,
            gateway,
            caches,
            new ObjectMapper(),
            Clock.systemUTC());
    Ingestor ingestor =
        Ingestor.create(
            config, extractor, Chunker.create(), EMBEDDER, index, documents, Clock.systemUTC());
    return new Stack(config, research, ingestor, db, index, operations);
  }

  /** One opened research pipeline; closing it closes its stores. */
  public record Stack(
      SophiaConfig config,
      ResearchService research,
      Ingestor ingestor,
      SqliteDatabase db,
      LuceneDocumentIndex index,
      SqlOperationsStore operations)
      implements AutoCloseable {
    @Override
    public void close() {
      index.close();
      db.close();
    }
  }

  @Override
  public void close() {
    web.close();
    search.close();
  }

  private String searxJson() {
    StringBuilder json = new StringBuilder("{\"query\":\"q\",\"results\":[");
    for (int i = 0; i < results.size(); i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"url\":\"")
          .append(results.get(i))
          .append("\",\"title\":\"Result ")
          .append(i)
          .append("\",\"content\":\"snippet\",\"engine\":\"test\"}");
    }
    return json.append("]}").toString();
  }

  private static Path yaml(Path dataDir, String text) {
    try {
      return Files.writeString(dataDir.resolve("sophia-test.yaml"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
