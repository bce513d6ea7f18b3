package ai.sophia.server;

import ai.sophia.agent.AgentRuntime;
import ai.sophia.cache.CacheRegistry;
import ai.sophia.code.CodeChanges;
import ai.sophia.code.CommitTool;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.deploy.DeployTool;
import ai.sophia.deploy.Deployments;
import ai.sophia.deploy.SqlDeploymentStore;
import ai.sophia.embedding.Embedder;
import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.embedding.QueryCachingEmbedder;
import ai.sophia.error.UnavailableException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthChecks;
import ai.sophia.health.HealthReport;
import ai.sophia.health.HealthStatus;
import ai.sophia.ingest.Chunker;
import ai.sophia.ingest.IngestJobs;
import ai.sophia.ingest.Ingestor;
import ai.sophia.mcp.McpClients;
import ai.sophia.mcp.McpTokenStore;
import ai.sophia.mcp.SqlMcpTokenStore;
import ai.sophia.memory.Database;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.DocumentStore;
import ai.sophia.memory.ElasticsearchDocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.OperationsStore;
import ai.sophia.memory.PageFusion;
import ai.sophia.memory.ResearchStore;
import ai.sophia.memory.SqlDocumentStore;
import ai.sophia.memory.SqlOperationsStore;
import ai.sophia.memory.SqlResearchStore;
import ai.sophia.model.RoutingModelGateway;
import ai.sophia.model.SqlUsageStore;
import ai.sophia.redis.Redis;
import ai.sophia.redis.RedisQueryEmbeddings;
import ai.sophia.research.LocalSearchProvider;
import ai.sophia.research.ResearchCaches;
import ai.sophia.research.ResearchService;
import ai.sophia.research.Researcher;
import ai.sophia.search.SearchProvider;
import ai.sophia.search.SearchProviders;
import ai.sophia.search.SearchRouter;
import ai.sophia.security.ApiKeyStore;
import ai.sophia.security.AuditLog;
import ai.sophia.security.AuditedApiKeyStore;
import ai.sophia.security.IssuedKey;
import ai.sophia.security.Reencryption;
import ai.sophia.security.Role;
import ai.sophia.security.SqlApiKeyStore;
import ai.sophia.security.SqlAuditLog;
import ai.sophia.security.TotpFactors;
import ai.sophia.server.http.RateLimiter;
import ai.sophia.server.http.RedisSessionStore;
import ai.sophia.swarm.SqlSwarmStore;
import ai.sophia.swarm.SwarmCoordinator;
import ai.sophia.swarm.SwarmEngine;
import ai.sophia.tracing.Tracing;
import ai.sophia.web.PageExtractor;
import ai.sophia.web.SafeFetcher;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds Sophia by hand, top to bottom, in the start-up order of SPEC §7 —
 * configuration (given), storage, services (caches, health checks, model gateway, research, agents,
 * ingest), then on {@link #serve} the API and the start-up health checks. {@link #close()} releases
 * everything in reverse order.
 */
public final class Sophia implements AutoCloseable {
  static final String BOOTSTRAP_KEY_NAME = "bootstrap";

  private static final Logger log = LoggerFactory.getLogger(Sophia.class);

  private final SophiaConfig config;
  private final Secrets secrets;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final Database database;
  private final TotpFactors totp;

  /** Tracing off, or the OTLP exporter ({@code tracing.enabled}): the one place choosing it. */
  private final Tracing tracing;

  /** The Redis the nodes share ({@code redis.url}); null for one node on its own. */
  private final Redis redis;

  private final SophiaServer.Shared shared;
  private final ApiKeyStore apiKeys;
  private final AuditLog audit;
  private final Reencryption reencryption;
  private final ResearchStore researchStore;
  private final DocumentStore documents;
  private final OperationsStore operations;
  private final DocumentIndex index;
  private final OnnxEmbedder embedder;
  private final CacheRegistry caches;
  private final HealthChecks health;
  private final PrometheusMeterRegistry metrics;
  private final PageExtractor extractor = PageExtractor.create();
  private final Chunker chunker = Chunker.create();
  private final Clock clock = Clock.systemUTC();
  private final RoutingModelGateway models;
  private final Researcher researcher;
  private final CodeChanges code;
  private final Deployments deployments;
  private final McpClients mcpClients;
  private final AgentRuntime agents;
  private final Ingestor ingestor;
  private final IngestJobs ingests;
  private final SwarmEngine swarmEngine;
  private final SwarmCoordinator swarms;
  private SophiaServer server;

  private Sophia(SophiaConfig config, Map<String, String> env) {
    this.config = config;
    this.secrets = Secrets.create(env);
    try {
      this.tracing = own(Tracing.create(config.tracing(), secrets));
      // Storage: the one place that chooses the backend (storage.backend).
      this.database = own(Database.open(config, secrets));
      this.totp = new TotpFactors(database, clock);
      this.apiKeys = new SqlApiKeyStore(database);
      this.audit = new SqlAuditLog(database);
      this.reencryption = database.cipher().enabled() ? new Reencryption(database) : null;
      this.researchStore = new SqlResearchStore(database);
      this.documents = new SqlDocumentStore(database);
      this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      resources.push(metrics::close);
      this.operations = new MeteredOperations(new SqlOperationsStore(database), metrics);
      // What several nodes share (rate limits, sessions, caches): Redis, or this process.
      this.redis = config.redis().enabled() ? own(Redis.connect(config.redis(), secrets)) : null;
      this.shared =
          redis == null
              ? SophiaServer.Shared.local(config)
              : new SophiaServer.Shared(
                  RateLimiter.redis(redis, config.security().rateLimit()),
                  new RedisSessionStore(redis));
      this.index = own(openIndex(config, secrets));
      this.embedder = OnnxEmbedder.create(config.embedding().model());
      // Services.
      this.caches = CacheRegistry.create();
      this.health =
          HealthChecks.create()
              .register(database.healthCheck())
              .register(index.healthCheck())
              .register(embedder.healthCheck())
              .register(cacheCheck(caches));
      if (reencryption != null) {
        health.register(reencryption.healthCheck());
      }
      if (redis != null) {
        health.register(redis.healthCheck());
      }
      this.models =
          RoutingModelGateway.create(
              config.models(), secrets, new SqlUsageStore(database), operations, metrics);
      models.healthChecks().forEach(health::register);
      this.researcher = buildResearch();
      this.code = CodeChanges.create(config, secrets, operations, clock);
      code.cleanup();
      this.deployments = own(openDeployments(config, secrets, database));
      // MCP connections before the agents: their tools are agent tools.
      this.mcpClients =
          own(
              McpClients.connect(
                  config, env, Version.current(), new SqlMcpTokenStore(database, clock)));
      mcpClients.healthChecks().forEach(health::register);
      AgentRuntime.Builder runtime = AgentRuntime.builder();
      mcpClients.tools().forEach(runtime::tool);
      this.agents =
          own(
              runtime
                  .config(config)
                  .gateway(models)
                  .researcher(researcher)
                  .index(index)
                  .embedder(embedder)
                  .database(database)
                  .operations(operations)
                  .clock(clock)
                  .tool(CommitTool.create(code))
                  .tool(DeployTool.create(deployments))
                  .build());
      agents.healthChecks().forEach(health::register);
      // Swarms run agents on the durable engine; unfinished runs resume in serve().
      this.swarmEngine =
          own(SwarmEngine.create(new SqlSwarmStore(database), config.swarm(), clock));
      this.swarms = SwarmCoordinator.create(swarmEngine, agents, models, config.swarm());
      this.ingestor =
          Ingestor.create(config, extractor, chunker, embedder, index, documents, clock);
      this.ingests = own(IngestJobs.create(ingestor, clock));
    } catch (RuntimeException e) {
      closeAll(e);
      throw e;
    }
  }

  /**
   * Opens the search index {@code index.backend} names: the one place that chooses it (the CLI's
   * doctor and migration open it here too). Lucene in {@code data_dir/index}, or the shared
   * Elasticsearch index with its credentials from {@code secrets}.
   */
  public static DocumentIndex openIndex(SophiaConfig config, Secrets secrets) {
    String model = config.embedding().model();
    PageFusion ranking = PageFusion.named(config.index().ranking());
    return config.index().elasticsearchBackend()
        ? ElasticsearchDocumentIndex.open(config.index().elasticsearch(), secrets, model, ranking)
        : LuceneDocumentIndex.open(config.dataDir(), model, ranking);
  }

  /**
   * Opens storage and builds the services for {@code config}; {@code env} supplies secrets (search
   * provider API keys). Nothing listens until {@link #serve}.
   */
  public static Sophia open(SophiaConfig config, Map<String, String> env) {
    return new Sophia(Objects.requireNonNull(config, "config"), Objects.requireNonNull(env, "env"));
  }

  /**
   * Runs {@code work} against the API key store alone — no index, no model — so key management
   * works beside a running server (SQLite in WAL mode takes both, as PostgreSQL does). Keys created
   * or revoked there are audited as the local CLI's.
   */
  public static <R> R withApiKeys(
      SophiaConfig config, Map<String, String> env, Function<ApiKeyStore, R> work) {
    return withKeysAndFactors(config, env, (keys, factors) -> work.apply(keys));
  }

  /**
   * {@link #withApiKeys} with the keys' second factors too ({@code sophia keys totp}); the key
   * store records in the audit log what either changes.
   */
  public static <R> R withKeysAndFactors(
      SophiaConfig config,
      Map<String, String> env,
      BiFunction<AuditedApiKeyStore, TotpFactors, R> work) {
    try (Database database = Database.open(config, Secrets.create(env))) {
      return work.apply(
          new AuditedApiKeyStore(
              new SqlApiKeyStore(database),
              new SqlAuditLog(database),
              "local CLI",
              "local",
              Clock.systemUTC()),
          new TotpFactors(database, Clock.systemUTC()));
    }
  }

  /** Runs {@code work} against the audit log alone, beside a running server like the keys. */
  public static <R> R withAuditLog(
      SophiaConfig config, Map<String, String> env, Function<AuditLog, R> work) {
    try (Database database = Database.open(config, Secrets.create(env))) {
      return work.apply(new SqlAuditLog(database));
    }
  }

  /**
   * Runs {@code work} against the MCP servers' OAuth tokens alone ({@code sophia mcp login}),
   * beside a running server like the keys: the server's connection finds what it stores.
   */
  public static <R> R withMcpTokens(
      SophiaConfig config, Map<String, String> env, Function<McpTokenStore, R> work) {
    try (Database database = Database.open(config, Secrets.create(env))) {
      return work.apply(new SqlMcpTokenStore(database, Clock.systemUTC()));
    }
  }

  /**
   * Starts the HTTP API, then runs the health checks; a critical component that is down stops
   * start-up with an {@link UnavailableException} naming it. On a first start (no active API key)
   * creates an admin key and prints it once to {@code console} — never to the log.
   *
   * @return the port the server listens on
   */
  public int serve(PrintWriter console) {
    Objects.requireNonNull(console, "console");
    if (server != null) {
      throw new IllegalStateException("Sophia is serving already");
    }
    SophiaServer started =
        SophiaServer.create(
            config,
            new SophiaServer.Services(
                researcher,
                agents,
                models,
                code,
                deployments,
                swarms,
                ingestor,
                ingests,
                audit,
                totp,
                secrets,
                database.cipher()),
            shared,
            apiKeys,
            health,
            caches,
            metrics,
            tracing);
    int port = started.start();
    resources.push(started);
    server = started;
    HealthReport report = health.run();
    List<String> down =
        report.components().stream()
            .filter(c -> c.status() == HealthStatus.State.down && c.critical())
            .map(c -> c.name() + ": " + c.detail())
            .toList();
    if (!down.isEmpty()) {
      throw new UnavailableException(
          "start-up stopped: required components are down: " + String.join("; ", down));
    }
    report.components().stream()
        .filter(c -> c.status() != HealthStatus.State.up)
        .forEach(c -> log.warn("component {} is {}: {}", c.name(), c.status(), c.detail()));
    // Keys a crashed server on this data directory left for the CLI are not the operator's:
    // revoked before counting. Only this node's: other nodes on a shared database keep theirs.
    revokeCliKeys();
    printBootstrapKeyIfNone(console);
    publishForTheCli(port);
    resumeSwarms();
    agents.keepRuns();
    if (reencryption != null) {
      reencryption.startInBackground();
    }
    started.ready();
    return port;
  }

  private void revokeCliKeys() {
    apiKeys.list().stream()
        .filter(k -> k.active() && k.name().equals(RunningServer.keyName(config.dataDir())))
        .forEach(k -> apiKeys.revoke(k.id()));
  }

  /**
   * Leaves {@link RunningServer}'s file, with a fresh admin key of the server's own, so that CLI
   * commands beside this server go through its API. Both are undone at close.
   */
  private void publishForTheCli(int port) {
    IssuedKey issued = apiKeys.create(RunningServer.keyName(config.dataDir()), Role.admin);
    String host = config.server().host();
    String reachable =
        host.equals("0.0.0.0") || host.equals("::") || host.isBlank() ? "127.0.0.1" : host;
    if (reachable.contains(":") && !reachable.startsWith("[")) {
      reachable = "[" + reachable + "]";
    }
    RunningServer.publish(config.dataDir(), "http://" + reachable + ":" + port, issued.secret());
    resources.push(
        () -> {
          RunningServer.withdraw(config.dataDir());
          apiKeys.revoke(issued.key().id());
        });
  }

  /**
   * Continues the swarm runs a crash or a stop interrupted, then keeps taking over the runs other
   * nodes lose (every second), and purges expired runs' checkpoints (and agent runs' events) now
   * and every hour. Only a serving Sophia does this: a CLI command beside it must not run the same
   * runs a second time.
   */
  private void resumeSwarms() {
    int resumed = swarmEngine.resumeUnfinished();
    if (resumed > 0) {
      log.info("resumed {} unfinished swarm run(s)", resumed);
    }
    swarmEngine.startSweeping();
    ScheduledExecutorService purge =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("swarm-purge").factory());
    resources.push(purge::shutdownNow);
    purge.scheduleWithFixedDelay(
        () -> {
          try {
            int purged = swarmEngine.purgeExpired();
            if (purged > 0) {
              log.info("purged the checkpoints and events of {} expired swarm run(s)", purged);
            }
            // Agent runs' events, after the same retention; their transcripts stay.
            int agentRuns =
                agents.purgeEvents(java.time.Duration.ofDays(config.swarm().retentionDays()));
            if (agentRuns > 0) {
              log.info("purged the events of {} expired agent run(s)", agentRuns);
            }
          } catch (RuntimeException e) {
            log.warn("purging expired swarm and agent runs failed: {}", e.toString());
          }
        },
        0,
        1,
        TimeUnit.HOURS);
  }

  /** The swarm coordinator and, through it, the engine its runs live on. */
  public SwarmCoordinator swarms() {
    return swarms;
  }

  public SophiaConfig config() {
    return config;
  }

  public ApiKeyStore apiKeys() {
    return apiKeys;
  }

  /** The audit log: every change and every refused request (Security, in README). */
  public AuditLog audit() {
    return audit;
  }

  /** The admin keys' second factors for dashboard sign-in. */
  public TotpFactors totp() {
    return totp;
  }

  public HealthChecks health() {
    return health;
  }

  public CacheRegistry caches() {
    return caches;
  }

  public Researcher researcher() {
    return researcher;
  }

  /** The agents, their tools, runs and approvals. */
  public AgentRuntime agents() {
    return agents;
  }

  /** Every model call goes through here; {@code usage()} says what they cost. */
  public RoutingModelGateway models() {
    return models;
  }

  /** Commits, pushes and pull requests ({@code sophia commit}, the commit tool). */
  public CodeChanges code() {
    return code;
  }

  /**
   * Runs {@code work} against code changes alone — storage for their records, no index, no model —
   * so {@code sophia commit} works beside a running server.
   */
  public static <R> R withCodeChanges(
      SophiaConfig config, Map<String, String> env, Function<CodeChanges, R> work) {
    Secrets secrets = Secrets.create(env);
    try (Database database = Database.open(config, secrets)) {
      return work.apply(
          CodeChanges.create(config, secrets, new SqlOperationsStore(database), Clock.systemUTC()));
    }
  }

  /** Deployments: their targets, records and logs ({@code sophia deploy}, the deploy tool). */
  public Deployments deployments() {
    return deployments;
  }

  /**
   * Runs {@code work} against deployments alone — storage for their records, no index, no model —
   * so {@code sophia deploy} works beside a running server (the database keeps one deployment per
   * target at a time across both). Waits for the deployments it started before closing.
   */
  public static <R> R withDeployments(
      SophiaConfig config, Map<String, String> env, Function<Deployments, R> work) {
    Secrets secrets = Secrets.create(env);
    try (Database database = Database.open(config, secrets);
        Deployments deployments = openDeployments(config, secrets, database)) {
      return work.apply(deployments);
    }
  }

  private static Deployments openDeployments(
      SophiaConfig config, Secrets secrets, Database database) {
    return Deployments.create(config, secrets, new SqlDeploymentStore(database), Clock.systemUTC());
  }

  /**
   * Runs {@code work} against the swarm runs' store alone — no index, no agents — so {@code sophia
   * swarm status|logs|cancel} work beside a running server. Nothing is resumed here.
   */
  public static <R> R withSwarms(
      SophiaConfig config, Map<String, String> env, Function<SwarmEngine, R> work) {
    try (Database database = Database.open(config, Secrets.create(env));
        SwarmEngine engine =
            SwarmEngine.create(new SqlSwarmStore(database), config.swarm(), Clock.systemUTC())) {
      return work.apply(engine);
    }
  }

  /** Reads sites and folders into the {@code local} engine's index ({@code sophia ingest}). */
  public Ingestor ingestor() {
    return ingestor;
  }

  @Override
  public void close() {
    closeAll(null);
  }

  private void printBootstrapKeyIfNone(PrintWriter console) {
    if (apiKeys.countActive() > 0) {
      return;
    }
    IssuedKey issued = apiKeys.create(BOOTSTRAP_KEY_NAME, Role.admin);
    log.info(
        "created the bootstrap admin key {} (secret printed to the console once)",
        issued.key().id());
    console.print(
        box(
            "Your admin API key (shown once): " + issued.secret(),
            "Sophia keeps only its hash: store it now.",
            "More keys: sophia keys create --name NAME [--role user]"));
    console.flush();
  }

  static String box(String... lines) {
    int width = 0;
    for (String line : lines) {
      width = Math.max(width, line.length());
    }
    String rule = "─".repeat(width + 2);
    StringBuilder out = new StringBuilder();
    out.append('┌').append(rule).append("┐\n");
    for (String line : lines) {
      out.append("│ ").append(line).append(" ".repeat(width - line.length())).append(" │\n");
    }
    return out.append('└').append(rule).append("┘\n").toString();
  }

  /**
   * Research: every web search provider plus the {@code local} index behind one router with
   * fallback, pages fetched SSRF-safe and remembered in {@code documents} and {@code index},
   * results kept in {@code researchStore}.
   */
  private Researcher buildResearch() {
    Duration ttl = Duration.ofMinutes(config.cache().ttlMinutes());
    // A question this node has not seen may have been embedded by another node (Redis).
    Embedder sharedQueries =
        redis == null ? embedder : new RedisQueryEmbeddings(embedder, redis, ttl);
    Embedder queries =
        new QueryCachingEmbedder(
            sharedQueries,
            caches.create("query_embeddings", config.cache().searchMaxEntries(), ttl));
    Map<String, SearchProvider> providers = new HashMap<>(SearchProviders.create(config, secrets));
    providers.put("local", new LocalSearchProvider(index, queries));
    // Search results and pages this node has not seen may have come to another node (Redis).
    ResearchCaches shared =
        redis == null ? ResearchCaches.local() : ResearchCaches.redis(redis, config);
    SearchRouter router =
        SearchRouter.create(
            providers,
            config.research().fallbackEngines(),
            caches,
            config.cache(),
            shared.searches());
    router.healthChecks().forEach(health::register);
    return ResearchService.create(
        config,
        router,
        SafeFetcher.create(config.research().fetch()),
        shared.pages(),
        extractor,
        chunker,
        queries,
        index,
        documents,
        researchStore,
        operations,
        models,
        caches,
        // Stored results are read back tolerantly, so results saved by another version still load.
        new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES),
        clock);
  }

  private static HealthCheck cacheCheck(CacheRegistry caches) {
    return HealthCheck.of(
        "cache",
        Duration.ofSeconds(1),
        () -> HealthStatus.up("caffeine", Map.of("hit_ratio", caches.hitRatio())));
  }

  private <T extends AutoCloseable> T own(T resource) {
    resources.push(resource);
    return resource;
  }

  private void closeAll(Throwable failure) {
    RuntimeException first = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (failure != null) {
          failure.addSuppressed(e);
        } else if (first == null) {
          first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
