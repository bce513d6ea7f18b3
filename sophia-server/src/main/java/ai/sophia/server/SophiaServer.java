package ai.sophia.server;

import ai.sophia.agent.AgentRuntime;
import ai.sophia.cache.CacheRegistry;
import ai.sophia.code.CodeChanges;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.deploy.Deployments;
import ai.sophia.error.UnavailableException;
import ai.sophia.health.HealthChecks;
import ai.sophia.ingest.IngestJobs;
import ai.sophia.ingest.Ingestor;
import ai.sophia.mcp.ClientMetadata;
import ai.sophia.mcp.SophiaMcp;
import ai.sophia.model.RoutingModelGateway;
import ai.sophia.research.Researcher;
import ai.sophia.security.ApiKeyStore;
import ai.sophia.security.AuditLog;
import ai.sophia.security.FieldCipher;
import ai.sophia.security.OidcSignIn;
import ai.sophia.security.OidcTokens;
import ai.sophia.security.TotpFactors;
import ai.sophia.server.http.AccessLog;
import ai.sophia.server.http.AuditTrail;
import ai.sophia.server.http.Drain;
import ai.sophia.server.http.Guard;
import ai.sophia.server.http.InMemorySessionStore;
import ai.sophia.server.http.Json;
import ai.sophia.server.http.McpGate;
import ai.sophia.server.http.ProblemErrorHandler;
import ai.sophia.server.http.Problems;
import ai.sophia.server.http.RateLimiter;
import ai.sophia.server.http.RequestBodies;
import ai.sophia.server.http.RequestIds;
import ai.sophia.server.http.RequestRate;
import ai.sophia.server.http.RequestTracing;
import ai.sophia.server.http.SessionStore;
import ai.sophia.server.http.Sessions;
import ai.sophia.server.routes.AgentRoutes;
import ai.sophia.server.routes.ApprovalRoutes;
import ai.sophia.server.routes.AuditRoutes;
import ai.sophia.server.routes.ClientMetadataRoutes;
import ai.sophia.server.routes.CodeRoutes;
import ai.sophia.server.routes.DashboardRoutes;
import ai.sophia.server.routes.DeployRoutes;
import ai.sophia.server.routes.HealthRoutes;
import ai.sophia.server.routes.IngestRoutes;
import ai.sophia.server.routes.KeyRoutes;
import ai.sophia.server.routes.McpMetadataRoutes;
import ai.sophia.server.routes.MemoryRoutes;
import ai.sophia.server.routes.MetricsRoutes;
import ai.sophia.server.routes.OidcRoutes;
import ai.sophia.server.routes.ResearchRoutes;
import ai.sophia.server.routes.RunRoutes;
import ai.sophia.server.routes.SessionRoutes;
import ai.sophia.server.routes.StatsRoutes;
import ai.sophia.server.routes.SwarmRoutes;
import ai.sophia.server.routes.UsageRoutes;
import ai.sophia.swarm.SwarmCoordinator;
import ai.sophia.tracing.Tracing;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sophia's HTTP API: Javalin on Jetty 12, handlers on virtual threads. Every request gets a request
 * id, passes the {@link Guard} (API key, rate limit, role) unless the route is public, and fails,
 * if it fails, as RFC 9457 problem+json. Created with its collaborators; {@link #start()} binds,
 * {@link #close()} stops.
 */
public final class SophiaServer implements AutoCloseable {
  /** How long a successful key lookup is trusted before the store is asked again. */
  static final Duration KEY_CACHE_TTL = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(SophiaServer.class);

  private final SophiaConfig.Server settings;
  private final Javalin app;
  private final JvmGcMetrics gcMetrics;
  private final SophiaMcp mcp;
  private final Drain drain = Drain.create();

  /**
   * What the API exposes: research, agents (with their runs and approvals), models, code,
   * deployments, swarms, ingest (the documents the {@code local} engine searches), the audit log
   * every change is recorded in, the secrets (the OpenID client's) the edge itself needs, and the
   * at-rest keyring, which keys what every node must accept (a public OpenID client's state).
   */
  public record Services(
      Researcher research,
      AgentRuntime agents,
      RoutingModelGateway models,
      CodeChanges code,
      Deployments deployments,
      SwarmCoordinator swarms,
      Ingestor ingestor,
      IngestJobs ingests,
      AuditLog audit,
      TotpFactors totp,
      Secrets secrets,
      FieldCipher cipher) {
    public Services {
      Objects.requireNonNull(cipher, "cipher");
      Objects.requireNonNull(secrets, "secrets");
      Objects.requireNonNull(totp, "totp");
      Objects.requireNonNull(audit, "audit");
      Objects.requireNonNull(ingestor, "ingestor");
      Objects.requireNonNull(ingests, "ingests");
      Objects.requireNonNull(deployments, "deployments");
      Objects.requireNonNull(swarms, "swarms");
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(research, "research");
      Objects.requireNonNull(agents, "agents");
      Objects.requireNonNull(models, "models");
    }
  }

  /**
   * What several nodes may share: each key's rate limit and the dashboard sessions. {@link #local}
   * keeps both in this process (one node); the composition root passes Redis-backed ones when
   * {@code redis.url} is set.
   */
  public record Shared(RateLimiter rateLimiter, SessionStore sessions) {
    public Shared {
      Objects.requireNonNull(rateLimiter, "rateLimiter");
      Objects.requireNonNull(sessions, "sessions");
    }

    /** Both in this process's memory. */
    public static Shared local(SophiaConfig config) {
      return new Shared(
          RateLimiter.local(config.security().rateLimit()), new InMemorySessionStore());
    }
  }

  private SophiaServer(
      SophiaConfig config,
      Services services,
      Shared shared,
      ApiKeyStore keys,
      HealthChecks health,
      CacheRegistry caches,
      PrometheusMeterRegistry metrics,
      Tracing tracing) {
    this.settings = config.server();
    ObjectMapper mapper = Json.mapper();
    RequestRate rate = RequestRate.create();
    Sessions sessions =
        new Sessions(
            shared.sessions(),
            keys,
            config.security().session(),
            KEY_CACHE_TTL,
            java.time.Clock.systemUTC());
    Guard guard =
        new Guard(
            keys,
            shared.rateLimiter(),
            KEY_CACHE_TTL,
            sessions,
            OidcTokens.create(config.security().oidc()));
    RequestBodies bodies = new RequestBodies(mapper, settings.maxBodyBytes());
    ResearchRoutes research =
        new ResearchRoutes(
            services.research(), bodies, mapper, config.research().defaultEngine(), metrics);
    AgentRuntime agents = services.agents();
    StatsRoutes stats =
        new StatsRoutes(
            Version.current(),
            Instant.now(),
            () -> research.inFlight() + agents.activeRuns().size(),
            rate,
            caches,
            services.models()::usage);
    this.gcMetrics = bindMetrics(metrics, caches);
    this.mcp =
        SophiaMcp.create(
            new SophiaMcp.Capabilities(
                services.research(),
                agents,
                services.models(),
                services.code(),
                services.deployments(),
                services.swarms(),
                services.audit()),
            config,
            Version.current());
    HttpServlet mcpServlet = mcp.httpServlet();
    AtomicReference<Javalin> self = new AtomicReference<>();
    AuditTrail audit = new AuditTrail(services.audit(), java.time.Clock.systemUTC());
    AccessLog accessLog = new AccessLog(metrics, rate, audit);
    McpGate mcpGate =
        new McpGate(
            guard,
            mapper,
            settings.host(),
            () -> self.get().port(),
            config.mcp().allowedOrigins(),
            mcp::inbound,
            settings.maxBodyBytes(),
            accessLog,
            audit,
            mcp::toolRole);
    this.app =
        Javalin.create(
            cfg -> {
              cfg.concurrency.useVirtualThreads = true;
              cfg.startup.showJavalinBanner = false;
              cfg.startup.showOldJavalinVersionWarning = false;
              cfg.http.prefer405over404 = true;
              cfg.http.maxRequestSize = settings.maxBodyBytes();
              cfg.jsonMapper(new JavalinJackson(mapper, true));
              cfg.jetty.host = settings.host();
              cfg.jetty.port = settings.port();
              cfg.jetty.threadPool = threadPool();
              cfg.jetty.addConnector(
                  (server, http) -> {
                    ServerConnector connector =
                        new ServerConnector(server, new HttpConnectionFactory(http));
                    connector.setHost(settings.host());
                    connector.setPort(settings.port());
                    connector.setAcceptQueueSize(settings.acceptQueueSize());
                    return connector;
                  });
              cfg.jetty.modifyHttpConfiguration(http -> http.setSendServerVersion(false));
              cfg.jetty.modifyServer(
                  server -> {
                    server.setErrorHandler(new ProblemErrorHandler(mapper));
                    // A stop closes the listener, then waits up to drain_ms for the requests in
                    // flight (GracefulHandler counts them) before it ends the connections.
                    server.setStopTimeout(settings.drainMs());
                    server.setHandler(new GracefulHandler());
                  });
              // MCP's Streamable HTTP servlet on the same Jetty and port, behind its own gate.
              cfg.jetty.modifyServletContextHandler(
                  handler -> {
                    drain.attachTo(handler);
                    // The server span first, so that it spans the gate and every route.
                    FilterHolder traced =
                        new FilterHolder(new RequestTracing(tracing, SophiaMcp.ENDPOINT));
                    traced.setAsyncSupported(true);
                    handler.addFilter(traced, "/*", EnumSet.of(DispatcherType.REQUEST));
                    ServletHolder holder = new ServletHolder("mcp", mcpServlet);
                    holder.setAsyncSupported(true);
                    handler.addServlet(holder, SophiaMcp.ENDPOINT);
                    FilterHolder gate = new FilterHolder(mcpGate);
                    gate.setAsyncSupported(true);
                    handler.addFilter(gate, SophiaMcp.ENDPOINT, EnumSet.of(DispatcherType.REQUEST));
                  });
              cfg.requestLogger.http(accessLog);
              allowOrigins(cfg, config.security().cors().allowedOrigins());
              cfg.routes.before(SophiaServer::securityHeaders);
              cfg.routes.before(RequestIds::assign);
              cfg.routes.beforeMatched(guard::check);
              Problems.register(cfg, mapper);
              new DashboardRoutes().register(cfg.routes);
              new SessionRoutes(guard, sessions, services.totp(), bodies).register(cfg.routes);
              OidcSignIn.create(config.security().oidc(), services.secrets())
                  .map(
                      s ->
                          OidcRoutes.enabled(
                              s,
                              sessions,
                              java.time.Clock.systemUTC(),
                              services.cipher().derive(OidcRoutes.STATE_KEY_PURPOSE)))
                  .orElseGet(() -> OidcRoutes.disabled(sessions))
                  .register(cfg.routes);
              new KeyRoutes(keys, sessions, services.totp(), bodies).register(cfg.routes);
              new AuditRoutes(services.audit(), mapper).register(cfg.routes);
              new HealthRoutes(health, mapper, drain).register(cfg.routes);
              stats.register(cfg.routes);
              research.register(cfg.routes);
              new MemoryRoutes(services.research()).register(cfg.routes);
              new IngestRoutes(
                      services.ingests(), services.ingestor(), config.ingest(), bodies, mapper)
                  .register(cfg.routes);
              new AgentRoutes(agents, services.models(), bodies, health, mapper)
                  .register(cfg.routes);
              new RunRoutes(agents, mapper).register(cfg.routes);
              new ApprovalRoutes(agents.approvals(), bodies).register(cfg.routes);
              new CodeRoutes(services.code(), bodies).register(cfg.routes);
              new DeployRoutes(services.deployments(), bodies, mapper).register(cfg.routes);
              new SwarmRoutes(
                      services.swarms(),
                      services.models(),
                      bodies,
                      mapper,
                      Duration.ofMillis(config.swarm().runDeadlineMs()))
                  .register(cfg.routes);
              new UsageRoutes(services.models()).register(cfg.routes);
              new MetricsRoutes(metrics).register(cfg.routes);
              new McpMetadataRoutes(
                      config.security().oidc().enabled()
                          ? List.of(config.security().oidc().issuer())
                          : List.of())
                  .register(cfg.routes);
              new ClientMetadataRoutes(ClientMetadata.documents(config.mcp().servers()))
                  .register(cfg.routes);
            });
    self.set(app);
  }

  /**
   * CORS for {@code security.cors.allowed_origins} only (none by default): Javalin's CORS plugin
   * answers their preflights and lets their pages read the API's answers and its request id and
   * rate-limit headers. No credentials: a cross-origin page authenticates with a key, never with
   * the dashboard's cookie.
   */
  private static void allowOrigins(io.javalin.config.JavalinConfig cfg, List<String> origins) {
    if (origins.isEmpty()) {
      return;
    }
    cfg.bundledPlugins.enableCors(
        cors ->
            cors.addRule(
                rule -> {
                  rule.allowHost(
                      origins.getFirst(),
                      origins.subList(1, origins.size()).toArray(String[]::new));
                  rule.maxAge = 600;
                  for (String header :
                      List.of(
                          RequestIds.HEADER,
                          "X-RateLimit-Limit",
                          "X-RateLimit-Remaining",
                          "Retry-After",
                          "Location")) {
                    rule.exposeHeader(header);
                  }
                }));
  }

  /**
   * On every answer: no content sniffing, no referrer, never framed. The dashboard's pages add
   * their content security policy.
   */
  private static void securityHeaders(io.javalin.http.Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
  }

  /**
   * A server for this configuration and these collaborators; nothing is bound until start. Each
   * request is traced by {@code tracing} ({@link Tracing#off()}: not at all).
   */
  public static SophiaServer create(
      SophiaConfig config,
      Services services,
      Shared shared,
      ApiKeyStore keys,
      HealthChecks health,
      CacheRegistry caches,
      PrometheusMeterRegistry metrics,
      Tracing tracing) {
    return new SophiaServer(
        Objects.requireNonNull(config, "config"),
        Objects.requireNonNull(services, "services"),
        Objects.requireNonNull(shared, "shared"),
        Objects.requireNonNull(keys, "keys"),
        Objects.requireNonNull(health, "health"),
        Objects.requireNonNull(caches, "caches"),
        Objects.requireNonNull(metrics, "metrics"),
        Objects.requireNonNull(tracing, "tracing"));
  }

  /**
   * Binds and starts serving; returns the bound port (an ephemeral one when the configured port is
   * 0).
   *
   * @throws UnavailableException when the address cannot be bound
   */
  public int start() {
    try {
      app.start();
    } catch (RuntimeException e) {
      throw new UnavailableException(
          "cannot listen on "
              + settings.host()
              + ":"
              + settings.port()
              + " ("
              + rootMessage(e)
              + "); is another Sophia running? Choose another port with --port or server.port",
          e);
    }
    int port = app.port();
    log.info("Sophia {} listening on http://{}:{}", Version.current(), settings.host(), port);
    return port;
  }

  public int port() {
    return app.port();
  }

  /** The start-up checks passed: {@code /health/ready} may answer 200 from now on. */
  public void ready() {
    drain.ready();
  }

  /**
   * Stops gracefully: {@code /health/ready} turns 503 and event streams end at once; after {@code
   * server.shutdown_delay_ms} (the listener still accepting, for a load balancer to notice) the
   * listener closes and the requests in flight get up to {@code server.drain_ms} to finish.
   */
  @Override
  public void close() {
    drain.begin();
    log.info("Sophia is draining: /health/ready answers 503");
    if (settings.shutdownDelayMs() > 0) {
      try {
        Thread.sleep(settings.shutdownDelayMs());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    mcp.close();
    app.stop();
    gcMetrics.close();
    log.info("Sophia stopped serving");
  }

  /**
   * Jetty's own threads (selectors, acceptors) on a small platform pool, each request's handling on
   * a virtual thread, as Jetty recommends. Javalin's {@code useVirtualThreads} alone would put the
   * selectors on virtual threads too, where a select() holds one of the few carrier threads.
   */
  private static QueuedThreadPool threadPool() {
    QueuedThreadPool pool = new QueuedThreadPool();
    pool.setName("sophia-http");
    pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    return pool;
  }

  private static JvmGcMetrics bindMetrics(PrometheusMeterRegistry registry, CacheRegistry caches) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    Gauge.builder("sophia.cache.hit.ratio", caches, CacheRegistry::hitRatio)
        .description("Hits over lookups across Sophia's in-process caches")
        .register(registry);
    return gc;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
