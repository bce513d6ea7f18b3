package ai.sophia.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Sophia's whole configuration, immutable. Built by {@link ConfigLoader} from the bundled defaults,
 * an optional {@code sophia.yaml} and {@code SOPHIA_*} environment variables.
 */
public record SophiaConfig(
    Environment environment,
    @JsonProperty("data_dir") Path dataDir,
    Storage storage,
    Redis redis,
    Index index,
    Server server,
    Security security,
    Research research,
    Providers providers,
    Ingest ingest,
    Embedding embedding,
    Cache cache,
    Models models,
    Agents agents,
    Code code,
    Mcp mcp,
    Swarm swarm,
    Deploy deploy,
    Tracing tracing) {

  /** Where Sophia runs; production tightens defaults (for example, no stack traces anywhere). */
  public enum Environment {
    development,
    staging,
    production
  }

  /** Where the stores keep their rows: {@code sqlite} (the default) or {@code postgres}. */
  public record Storage(String backend, Postgres postgres) {
    public boolean postgresBackend() {
      return "postgres".equals(backend);
    }
  }

  /**
   * Where the search index lives: {@code lucene} (the default, embedded under {@code data_dir}) or
   * {@code elasticsearch} (one index shared by every node).
   */
  /**
   * The search index: its backend, and how it ranks pages ({@code blend}, the fixed blend, or
   * {@code learned}, the learned ranker; BENCHMARKS.md "Retrieval quality" measures both).
   */
  public record Index(String backend, String ranking, Elasticsearch elasticsearch) {
    public boolean elasticsearchBackend() {
      return "elasticsearch".equals(backend);
    }
  }

  /**
   * An Elasticsearch cluster: its node URLs, the user for basic authentication (the password, or
   * instead an API key, only from the environment), the prefix of Sophia's index names and how long
   * one request may take.
   */
  public record Elasticsearch(
      List<String> urls,
      String username,
      @JsonProperty("index_prefix") String indexPrefix,
      @JsonProperty("timeout_ms") int timeoutMs) {}

  /**
   * A PostgreSQL server: its JDBC URL, the user, where the password is (never in the config), and
   * how many connections the pool keeps.
   */
  public record Postgres(
      String url,
      String user,
      @JsonProperty("password_file") String passwordFile,
      @JsonProperty("pool_size") int poolSize) {}

  /**
   * The Redis server several Sophia nodes share (rate limits, dashboard sessions, query
   * embeddings): {@code url} empty means none, one node keeps everything in its own memory. The
   * password is never here: {@code SOPHIA_REDIS_PASSWORD} (or its {@code _FILE}) or {@code
   * password_file}. Commands slower than {@code timeout_ms} count as Redis being gone.
   */
  public record Redis(
      String url,
      String user,
      @JsonProperty("password_file") String passwordFile,
      @JsonProperty("timeout_ms") int timeoutMs,
      @JsonProperty("key_prefix") String keyPrefix) {
    public boolean enabled() {
      return url != null && !url.isBlank();
    }
  }

  /**
   * The HTTP listener. {@code acceptQueueSize} is the listen backlog: connections the kernel holds
   * until Sophia accepts them (capped by {@code net.core.somaxconn}); a burst larger than it waits
   * on SYN retransmission, 1 s and more.
   */
  /**
   * The HTTP listener. On a stop (SIGTERM), {@code /health/ready} answers 503 for {@code
   * shutdown_delay_ms} while the listener still accepts, so a load balancer stops sending; then the
   * listener closes and the requests in flight get up to {@code drain_ms} to finish.
   */
  public record Server(
      String host,
      int port,
      @JsonProperty("max_body_bytes") int maxBodyBytes,
      @JsonProperty("accept_queue_size") int acceptQueueSize,
      @JsonProperty("shutdown_delay_ms") int shutdownDelayMs,
      @JsonProperty("drain_ms") int drainMs) {}

  public record Security(
      @JsonProperty("rate_limit") RateLimit rateLimit,
      Session session,
      Encryption encryption,
      Cors cors,
      Oidc oidc) {
    public Security {
      encryption = encryption == null ? new Encryption("") : encryption;
      cors = cors == null ? new Cors(List.of()) : cors;
      oidc = oidc == null ? new Oidc("", "", "roles", 60) : oidc;
    }
  }

  /**
   * Bearer JWTs from an OpenID Connect issuer, beside API keys: the {@code issuer} URL (its
   * discovery document names the signing keys), the {@code audience} tokens must name (Sophia's
   * resource URL), the claim holding Sophia role names, and the clock skew allowed on expiry. With
   * a {@code client_id} too, the dashboard signs in with the issuer (authorization code + PKCE):
   * the issuer sends the browser back to {@code redirect_uri}, which must be given (Sophia's public
   * URL + {@code /dashboard/oidc/callback}, never guessed from a request's Host), asking for {@code
   * scopes}; a confidential client's secret is in {@code client_secret_file} or {@code
   * SOPHIA_OIDC_CLIENT_SECRET} (or its {@code _FILE}).
   */
  public record Oidc(
      String issuer,
      String audience,
      @JsonProperty("roles_claim") String rolesClaim,
      @JsonProperty("clock_skew_seconds") int clockSkewSeconds,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_secret_file") String clientSecretFile,
      @JsonProperty("redirect_uri") String redirectUri,
      List<String> scopes) {
    public Oidc {
      issuer = issuer == null ? "" : issuer.strip();
      audience = audience == null ? "" : audience.strip();
      rolesClaim = rolesClaim == null || rolesClaim.isBlank() ? "roles" : rolesClaim.strip();
      clientId = clientId == null ? "" : clientId.strip();
      clientSecretFile = clientSecretFile == null ? "" : clientSecretFile.strip();
      redirectUri = redirectUri == null ? "" : redirectUri.strip();
      scopes =
          scopes == null || scopes.isEmpty() ? List.of("openid", "profile") : List.copyOf(scopes);
    }

    /** Bearer tokens only, no dashboard sign-in. */
    public Oidc(String issuer, String audience, String rolesClaim, int clockSkewSeconds) {
      this(issuer, audience, rolesClaim, clockSkewSeconds, "", "", "", List.of());
    }

    public boolean enabled() {
      return !issuer.isEmpty();
    }

    /** Whether the dashboard signs in with the issuer (an issuer and a client id). */
    public boolean signInEnabled() {
      return enabled() && !clientId.isEmpty();
    }
  }

  /**
   * Which browser origins may call the REST API from their pages (CORS): none by default, so a page
   * elsewhere cannot read Sophia's answers even with a key it holds.
   */
  public record Cors(@JsonProperty("allowed_origins") List<String> allowedOrigins) {
    public Cors {
      allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    }
  }

  /**
   * Encryption at rest: {@code key_file} names a file holding the keyring ({@code <id>:<base64 of
   * 32 bytes>} per line, the first one seals); {@code SOPHIA_ENCRYPTION_KEYS} takes precedence.
   */
  public record Encryption(@JsonProperty("key_file") String keyFile) {
    public Encryption {
      keyFile = keyFile == null ? "" : keyFile;
    }
  }

  /**
   * The dashboard's sign-in sessions: how long one lasts, and whether each request renews it
   * (sliding) or it ends that long after sign-in (fixed).
   */
  public record Session(@JsonProperty("ttl_minutes") int ttlMinutes, boolean sliding) {}

  public record RateLimit(
      @JsonProperty("requests_per_second") double requestsPerSecond, int burst) {}

  public record Research(
      @JsonProperty("default_engine") String defaultEngine,
      @JsonProperty("fallback_engines") List<String> fallbackEngines,
      @JsonProperty("max_parallel_fetches") int maxParallelFetches,
      Fetch fetch) {}

  public record Fetch(
      @JsonProperty("timeout_ms") int timeoutMs,
      @JsonProperty("max_bytes") int maxBytes,
      @JsonProperty("max_redirects") int maxRedirects,
      @JsonProperty("user_agent") String userAgent,
      @JsonProperty("allowed_private_ranges") List<String> allowedPrivateRanges) {}

  public record Providers(
      Provider duckduckgo, Provider searxng, Provider serper, Provider brave, Provider tavily) {}

  /** A search provider's endpoint and, for paid ones, the environment variable with its key. */
  public record Provider(
      @JsonProperty("base_url") String baseUrl, @JsonProperty("api_key_env") String apiKeyEnv) {}

  public record Ingest(
      @JsonProperty("max_pages") int maxPages,
      @JsonProperty("max_depth") int maxDepth,
      @JsonProperty("delay_ms_per_host") int delayMsPerHost) {}

  public record Embedding(String model) {}

  public record Cache(
      @JsonProperty("search_max_entries") int searchMaxEntries,
      @JsonProperty("page_max_entries") int pageMaxEntries,
      @JsonProperty("ttl_minutes") int ttlMinutes) {}

  /**
   * The model gateway: which providers exist, the default chain of models (each {@code
   * provider:model}), retries, circuit breakers, prices and budgets.
   */
  public record Models(
      Mode mode,
      @JsonProperty("default_chain") List<String> defaultChain,
      @JsonProperty("timeout_ms") int timeoutMs,
      @JsonProperty("max_attempts") int maxAttempts,
      @JsonProperty("backoff_initial_ms") int backoffInitialMs,
      @JsonProperty("backoff_max_ms") int backoffMaxMs,
      @JsonProperty("circuit_failure_threshold") int circuitFailureThreshold,
      @JsonProperty("circuit_open_ms") int circuitOpenMs,
      @JsonProperty("daily_budget_usd_per_key") double dailyBudgetUsdPerKey,
      @JsonProperty("key_budgets") Map<String, Double> keyBudgets,
      ModelProviders providers,
      Map<String, Price> prices) {}

  /** {@code auto} uses every provider that has credentials; {@code offline} never calls a model. */
  public enum Mode {
    auto,
    offline
  }

  public record ModelProviders(
      ModelProvider openrouter,
      @JsonProperty("openai_compatible") ModelProvider openaiCompatible,
      ModelProvider anthropic) {}

  /** A model provider's endpoint and the environment variable with its key. */
  public record ModelProvider(
      @JsonProperty("base_url") String baseUrl, @JsonProperty("api_key_env") String apiKeyEnv) {}

  /** US dollars per million tokens. */
  public record Price(double input, double output) {}

  /** The agent runtime's limits and the agents an operator defines. */
  public record Agents(
      @JsonProperty("max_steps") int maxSteps,
      @JsonProperty("timeout_ms") int timeoutMs,
      @JsonProperty("memory_token_budget") int memoryTokenBudget,
      Map<String, AgentSpec> definitions) {}

  /**
   * An agent defined in configuration. Absent fields take the defaults of its {@code type} (a
   * built-in agent's name) or of a plain agent.
   */
  public record AgentSpec(
      String type,
      Integer level,
      String description,
      String instructions,
      List<String> tools,
      List<String> models,
      @JsonProperty("memory_scope") String memoryScope,
      List<String> capabilities) {}

  /**
   * Code changes: the identity Sophia commits as, the message and branch defaults, the guards
   * (protected paths, size limits) and the repositories it may change, by name.
   */
  public record Code(
      @JsonProperty("author_name") String authorName,
      @JsonProperty("author_email") String authorEmail,
      @JsonProperty("base_branch") String baseBranch,
      @JsonProperty("message_template") String messageTemplate,
      @JsonProperty("protected_paths") List<String> protectedPaths,
      @JsonProperty("max_file_bytes") int maxFileBytes,
      @JsonProperty("max_change_bytes") int maxChangeBytes,
      @JsonProperty("max_files") int maxFiles,
      @JsonProperty("github_wait_max_ms") int githubWaitMaxMs,
      Map<String, Repository> repositories) {}

  /**
   * A repository Sophia may change: its git URL (https, ssh or a local path), the environment
   * variable holding its token (never the token itself), its base branch (empty: {@code
   * code.base_branch}) and, for GitHub, where its pull requests are opened (absent: a plain remote,
   * branches are pushed and no pull request is opened).
   */
  public record Repository(
      String url,
      @JsonProperty("token_env") String tokenEnv,
      @JsonProperty("base_branch") String baseBranch,
      GitHub github,
      @JsonProperty("ssh_key_file") String sshKeyFile,
      @JsonProperty("known_hosts_file") String knownHostsFile) {
    /** True for an SSH remote: {@code ssh://…} or scp-like {@code user@host:path}. */
    public boolean ssh() {
      return url != null && (url.startsWith("ssh://") || url.matches("[^/@:\\s]+@[^/:\\s]+:.*"));
    }
  }

  /** GitHub's REST API for a repository: {@code api_url} (https://api.github.com), owner, repo. */
  public record GitHub(@JsonProperty("api_url") String apiUrl, String owner, String repo) {}

  /**
   * MCP: the browser origins {@code /mcp} accepts besides the server's own, and the MCP servers
   * Sophia connects to as a client, by name.
   */
  public record Mcp(
      @JsonProperty("allowed_origins") List<String> allowedOrigins,
      Map<String, McpServerSpec> servers) {}

  /**
   * One MCP server Sophia uses: a stdio {@code command} with {@code args} (and the names of
   * Sophia's environment variables passed to it in {@code env}), or an HTTP {@code url} with a
   * bearer token read from the variable {@code token_env} or obtained with OAuth ({@code oauth}).
   * Its tools get {@code risk} (read when absent).
   */
  public record McpServerSpec(
      String command,
      List<String> args,
      List<String> env,
      String url,
      @JsonProperty("token_env") String tokenEnv,
      McpOAuth oauth,
      String risk,
      @JsonProperty("timeout_ms") Integer timeoutMs) {}

  /**
   * OAuth for an HTTP MCP server. {@code grant} {@code client_credentials} (the default, RFC 6749
   * section 4.4): the client's id and the variable holding its secret ({@code client_secret_env},
   * or {@code <VAR>_FILE}) or its private key ({@code private_key_env}, a PKCS#8 PEM, for {@code
   * private_key_jwt}), the token endpoint ({@code token_url}; when absent, discovered from the
   * server's 401) and the scope to ask for (optional). {@code authorization_code}: a person signs
   * in once with {@code sophia mcp login <server>} (PKCE; the client registered dynamically when no
   * {@code client_id} is set), the loopback redirect on {@code redirect_port} (0 or absent: any
   * free port); Sophia then renews with the refresh token. {@code client_metadata_url}: the HTTPS
   * URL of Sophia's client ID metadata document (MCP authorization 2025-11-25), used as the {@code
   * client_id} instead of registering when the authorization server supports such documents.
   */
  public record McpOAuth(
      String grant,
      @JsonProperty("token_url") String tokenUrl,
      @JsonProperty("client_id") String clientId,
      @JsonProperty("client_secret_env") String clientSecretEnv,
      @JsonProperty("private_key_env") String privateKeyEnv,
      String scope,
      @JsonProperty("redirect_port") Integer redirectPort,
      @JsonProperty("client_metadata_url") String clientMetadataUrl) {
    /** Whether a person signs in ({@code authorization_code}) rather than the client alone. */
    public boolean signIn() {
      return "authorization_code".equals(grant);
    }
  }

  /**
   * Swarms: the defaults of a step (timeout, attempts), a run's deadline, how long finished runs
   * keep their step checkpoints and events, the quality bar a run must clear, how long a node's
   * lease on its runs lasts without renewal (another node resumes them after that), and the name a
   * node goes by in those leases (empty: the host name).
   */
  public record Swarm(
      @JsonProperty("step_timeout_ms") int stepTimeoutMs,
      @JsonProperty("step_attempts") int stepAttempts,
      @JsonProperty("run_deadline_ms") long runDeadlineMs,
      @JsonProperty("retention_days") int retentionDays,
      @JsonProperty("quality_threshold") double qualityThreshold,
      @JsonProperty("lease_ms") long leaseMs,
      @JsonProperty("node_name") String nodeName) {
    /** How long a lease lasts when the configuration does not say. */
    public static final long DEFAULT_LEASE_MS = 30_000;

    /** The settings with the default lease (30 s) and node name (the host's). */
    public Swarm(
        int stepTimeoutMs,
        int stepAttempts,
        long runDeadlineMs,
        int retentionDays,
        double qualityThreshold) {
      this(
          stepTimeoutMs,
          stepAttempts,
          runDeadlineMs,
          retentionDays,
          qualityThreshold,
          DEFAULT_LEASE_MS,
          "");
    }
  }

  /** Deployments: how long one may take, and the targets Sophia deploys to, by name. */
  public record Deploy(
      @JsonProperty("timeout_ms") int timeoutMs, Map<String, DeployTarget> targets) {}

  /**
   * One deployment target: {@code type} is {@code fly}, {@code local}, {@code command} or {@code
   * webhook}; each type reads its own fields (README "Deployments"), the others stay unset. Never a
   * token here: {@code token_env} names the environment variable that holds it.
   */
  public record DeployTarget(
      String type,
      // fly: the app, the image to roll out, how, and where the Machines API is
      String app,
      String image,
      String strategy,
      @JsonProperty("api_url") String apiUrl,
      @JsonProperty("token_env") String tokenEnv,
      @JsonProperty("wait_timeout_s") Integer waitTimeoutS,
      // local: a command started on one of two ports in turn, and its health path
      List<String> command,
      List<Integer> ports,
      @JsonProperty("health_path") String healthPath,
      @JsonProperty("working_dir") String workingDir,
      Map<String, String> env,
      // command: the operator's deploy command and the way back
      @JsonProperty("rollback_command") List<String> rollbackCommand,
      @JsonProperty("timeout_ms") Integer timeoutMs,
      // webhook: the operator's deploy hook and the variable holding its signing secret
      @JsonProperty("webhook_url") String webhookUrl,
      @JsonProperty("secret_env") String secretEnv,
      // every type: where health is probed, how long it may take, the URL users reach
      @JsonProperty("health_url") String healthUrl,
      @JsonProperty("health_timeout_ms") Integer healthTimeoutMs,
      String url) {}

  /**
   * Tracing over OpenTelemetry, off by default: when on, spans go over OTLP (HTTP/protobuf) to
   * {@code otlp.endpoint}, a share {@code sample_ratio} of new traces kept (a trace continued from
   * a caller's {@code traceparent} follows the caller's decision). The exporter's headers (a
   * collector's credentials) are never here: {@code otlp.headers_env} names the environment
   * variable holding them as {@code key=value,key=value}.
   */
  public record Tracing(
      boolean enabled,
      @JsonProperty("service_name") String serviceName,
      @JsonProperty("sample_ratio") double sampleRatio,
      Otlp otlp) {
    /** Tracing off, as the bundled defaults have it. */
    public static Tracing off() {
      return new Tracing(false, "sophia", 1.0, new Otlp("", "OTEL_EXPORTER_OTLP_HEADERS", 10_000));
    }
  }

  /** Where spans are sent: the collector's traces URL, the headers' variable, a send's timeout. */
  public record Otlp(
      String endpoint,
      @JsonProperty("headers_env") String headersEnv,
      @JsonProperty("timeout_ms") int timeoutMs) {}
}
