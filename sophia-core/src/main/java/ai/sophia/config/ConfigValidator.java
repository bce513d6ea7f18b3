package ai.sophia.config;

import ai.sophia.embedding.OnnxEmbedder;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Range and shape checks on a parsed configuration; each problem names its key. */
final class ConfigValidator {
  static final Set<String> ENGINES =
      Set.of("duckduckgo", "searxng", "serper", "brave", "tavily", "local");

  private ConfigValidator() {}

  static void validate(SophiaConfig c, List<String> problems) {
    require(
        c.environment() != null,
        "environment must be development, staging or production",
        problems);
    require(
        c.dataDir() != null && !c.dataDir().toString().isBlank(), "data_dir must be set", problems);
    var server = c.server();
    require(server.host() != null && !server.host().isBlank(), "server.host must be set", problems);
    range("server.port", server.port(), 0, 65535, problems);
    range("server.max_body_bytes", server.maxBodyBytes(), 1024, 10_000_000, problems);
    range("server.accept_queue_size", server.acceptQueueSize(), 1, 65_535, problems);
    range("server.shutdown_delay_ms", server.shutdownDelayMs(), 0, 300_000, problems);
    range("server.drain_ms", server.drainMs(), 0, 300_000, problems);
    var rate = c.security().rateLimit();
    require(
        rate.requestsPerSecond() > 0,
        "security.rate_limit.requests_per_second must be > 0",
        problems);
    range("security.rate_limit.burst", rate.burst(), 1, 1_000_000, problems);
    range("security.session.ttl_minutes", c.security().session().ttlMinutes(), 1, 1440, problems);
    validateOidc(c.security().oidc(), problems);
    for (String origin : c.security().cors().allowedOrigins()) {
      url("security.cors.allowed_origins", origin, false, problems);
    }
    String keyFile = c.security().encryption().keyFile();
    if (!keyFile.isBlank() && !java.nio.file.Files.isReadable(Path.of(keyFile))) {
      problems.add("security.encryption.key_file " + keyFile + " is not a readable file");
    }
    var research = c.research();
    require(
        ENGINES.contains(research.defaultEngine()),
        "research.default_engine '" + research.defaultEngine() + "' is not one of " + ENGINES,
        problems);
    for (String engine : research.fallbackEngines()) {
      require(
          ENGINES.contains(engine),
          "research.fallback_engines has unknown engine '" + engine + "'; known: " + ENGINES,
          problems);
    }
    range("research.max_parallel_fetches", research.maxParallelFetches(), 1, 64, problems);
    var fetch = research.fetch();
    range("research.fetch.timeout_ms", fetch.timeoutMs(), 100, 120_000, problems);
    range("research.fetch.max_bytes", fetch.maxBytes(), 1024, 100_000_000, problems);
    range("research.fetch.max_redirects", fetch.maxRedirects(), 0, 10, problems);
    for (String cidr : fetch.allowedPrivateRanges()) {
      require(
          Cidr.isValid(cidr),
          "research.fetch.allowed_private_ranges has '"
              + cidr
              + "', which is not a CIDR like 10.0.0.0/8",
          problems);
    }
    var p = c.providers();
    url("providers.duckduckgo.base_url", p.duckduckgo().baseUrl(), false, problems);
    url("providers.searxng.base_url", p.searxng().baseUrl(), true, problems);
    url("providers.serper.base_url", p.serper().baseUrl(), false, problems);
    url("providers.brave.base_url", p.brave().baseUrl(), false, problems);
    url("providers.tavily.base_url", p.tavily().baseUrl(), false, problems);
    range("ingest.max_pages", c.ingest().maxPages(), 1, 1_000_000, problems);
    range("ingest.max_depth", c.ingest().maxDepth(), 0, 100, problems);
    range("ingest.delay_ms_per_host", c.ingest().delayMsPerHost(), 0, 60_000, problems);
    require(
        OnnxEmbedder.MODELS.contains(c.embedding().model()),
        "embedding.model '" + c.embedding().model() + "' is not one of " + OnnxEmbedder.MODELS,
        problems);
    range("cache.search_max_entries", c.cache().searchMaxEntries(), 0, 10_000_000, problems);
    range("cache.page_max_entries", c.cache().pageMaxEntries(), 0, 10_000_000, problems);
    range("cache.ttl_minutes", c.cache().ttlMinutes(), 1, 100_000, problems);
    validateModels(c.models(), problems);
    validateAgents(c.agents(), problems);
    validateCode(c.code(), problems);
    validateMcp(c.mcp(), problems);
    validateDeploy(c.deploy(), problems);
    validateSwarm(c.swarm(), problems);
    validateStorage(c.storage(), problems);
    validateRedis(c.redis(), problems);
    validateIndex(c.index(), problems);
    validateTracing(c.tracing(), problems);
  }

  private static void validateTracing(SophiaConfig.Tracing t, List<String> problems) {
    if (t == null || t.otlp() == null) {
      problems.add("tracing and tracing.otlp must be mappings");
      return;
    }
    require(
        t.sampleRatio() >= 0 && t.sampleRatio() <= 1,
        "tracing.sample_ratio is " + t.sampleRatio() + " but must be between 0 and 1",
        problems);
    require(
        t.serviceName() != null && !t.serviceName().isBlank(),
        "tracing.service_name must be set",
        problems);
    range("tracing.otlp.timeout_ms", t.otlp().timeoutMs(), 100, 600_000, problems);
    String headers = t.otlp().headersEnv();
    require(
        headers == null || headers.isEmpty() || ENV_NAME.matcher(headers).matches(),
        "tracing.otlp.headers_env must name an environment variable (not hold the headers)",
        problems);
    String endpoint = t.otlp().endpoint();
    if (!t.enabled()) {
      return;
    }
    if (endpoint == null || endpoint.isBlank()) {
      problems.add(
          "tracing.otlp.endpoint must be set when tracing.enabled is true: the collector's"
              + " OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces");
      return;
    }
    url("tracing.otlp.endpoint", endpoint, false, problems);
    require(
        !CREDENTIALS_IN_URL.matcher(endpoint).find(),
        "tracing.otlp.endpoint must not carry credentials: put them in the variable"
            + " tracing.otlp.headers_env names",
        problems);
  }

  static final Pattern REPOSITORY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  static final Pattern CREDENTIALS_IN_URL = Pattern.compile("://[^/@]*:[^/@]*@");
  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private static void validateCode(SophiaConfig.Code code, List<String> problems) {
    require(
        code.authorName() != null && !code.authorName().isBlank(),
        "code.author_name must be set",
        problems);
    require(
        code.authorEmail() != null && code.authorEmail().contains("@"),
        "code.author_email must be an email address",
        problems);
    require(
        code.baseBranch() != null && !code.baseBranch().isBlank(),
        "code.base_branch must be set",
        problems);
    require(
        code.messageTemplate() != null && !code.messageTemplate().isBlank(),
        "code.message_template must be set",
        problems);
    range("code.max_file_bytes", code.maxFileBytes(), 1, 100_000_000, problems);
    range("code.max_change_bytes", code.maxChangeBytes(), 1, 1_000_000_000, problems);
    range("code.max_files", code.maxFiles(), 1, 10_000, problems);
    range("code.github_wait_max_ms", code.githubWaitMaxMs(), 0, 3_600_000, problems);
    code.repositories()
        .forEach(
            (name, repo) -> {
              String key = "code.repositories." + name;
              require(
                  REPOSITORY_NAME.matcher(name).matches(),
                  key + ": a repository name is up to 64 of [A-Za-z0-9._-]",
                  problems);
              if (repo == null) {
                problems.add(key + " must be a mapping with at least a url");
                return;
              }
              require(
                  repo.url() != null && !repo.url().isBlank(),
                  key + ".url must be set (https://…, ssh://…, git@host:path or a local path)",
                  problems);
              require(
                  repo.url() == null || !CREDENTIALS_IN_URL.matcher(repo.url()).find(),
                  key + ".url must not carry a password or token; name its variable in token_env",
                  problems);
              require(
                  repo.tokenEnv() == null
                      || repo.tokenEnv().isEmpty()
                      || ENV_NAME.matcher(repo.tokenEnv()).matches(),
                  key + ".token_env must be the name of an environment variable",
                  problems);
              if (repo.ssh()) {
                readableFile(key + ".ssh_key_file", repo.sshKeyFile(), "its private key", problems);
                readableFile(
                    key + ".known_hosts_file",
                    repo.knownHostsFile(),
                    "the host keys to trust (ssh-keyscan HOST > FILE, then check them)",
                    problems);
              } else {
                require(
                    blank(repo.sshKeyFile()) && blank(repo.knownHostsFile()),
                    key
                        + ": ssh_key_file and known_hosts_file are for ssh:// or user@host:path urls",
                    problems);
              }
              if (repo.github() != null) {
                url(key + ".github.api_url", repo.github().apiUrl(), false, problems);
                require(
                    repo.github().owner() != null && !repo.github().owner().isBlank(),
                    key + ".github.owner must be set",
                    problems);
                require(
                    repo.github().repo() != null && !repo.github().repo().isBlank(),
                    key + ".github.repo must be set",
                    problems);
              }
            });
  }

  static final Set<String> MODEL_PROVIDERS = Set.of("openrouter", "openai_compatible", "anthropic");
  static final Pattern AGENT_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,39}");

  private static void validateModels(SophiaConfig.Models m, List<String> problems) {
    require(m.mode() != null, "models.mode must be auto or offline", problems);
    for (String ref : m.defaultChain()) {
      modelRef("models.default_chain", ref, problems);
    }
    range("models.timeout_ms", m.timeoutMs(), 100, 600_000, problems);
    range("models.max_attempts", m.maxAttempts(), 1, 10, problems);
    range("models.backoff_initial_ms", m.backoffInitialMs(), 0, 60_000, problems);
    range("models.backoff_max_ms", m.backoffMaxMs(), m.backoffInitialMs(), 600_000, problems);
    range("models.circuit_failure_threshold", m.circuitFailureThreshold(), 1, 1000, problems);
    range("models.circuit_open_ms", m.circuitOpenMs(), 10, 3_600_000, problems);
    require(
        m.dailyBudgetUsdPerKey() >= 0, "models.daily_budget_usd_per_key must be >= 0", problems);
    m.keyBudgets()
        .forEach(
            (key, usd) ->
                require(
                    usd != null && usd >= 0,
                    "models.key_budgets." + key + " must be a number >= 0",
                    problems));
    var p = m.providers();
    url("models.providers.openrouter.base_url", p.openrouter().baseUrl(), true, problems);
    url(
        "models.providers.openai_compatible.base_url",
        p.openaiCompatible().baseUrl(),
        true,
        problems);
    url("models.providers.anthropic.base_url", p.anthropic().baseUrl(), true, problems);
    m.prices()
        .forEach(
            (ref, price) -> {
              modelRef("models.prices", ref, problems);
              require(
                  price != null && price.input() >= 0 && price.output() >= 0,
                  "models.prices." + ref + " needs input and output prices >= 0",
                  problems);
            });
  }

  private static void modelRef(String key, String ref, List<String> problems) {
    int colon = ref == null ? -1 : ref.indexOf(':');
    require(
        colon > 0 && colon < ref.length() - 1 && MODEL_PROVIDERS.contains(ref.substring(0, colon)),
        key
            + " has '"
            + ref
            + "'; a model is provider:model with provider one of "
            + MODEL_PROVIDERS
            + ", e.g. openrouter:anthropic/claude-sonnet-4",
        problems);
  }

  private static void validateAgents(SophiaConfig.Agents a, List<String> problems) {
    range("agents.max_steps", a.maxSteps(), 1, 100, problems);
    range("agents.timeout_ms", a.timeoutMs(), 100, 86_400_000, problems);
    range("agents.memory_token_budget", a.memoryTokenBudget(), 0, 1_000_000, problems);
    a.definitions()
        .forEach(
            (name, spec) -> {
              String key = "agents.definitions." + name;
              require(
                  AGENT_NAME.matcher(name).matches(),
                  key + ": an agent name is a lowercase letter then up to 39 of [a-z0-9_-]",
                  problems);
              if (spec == null) {
                problems.add(key + " must be a mapping");
                return;
              }
              if (spec.level() != null) {
                range(key + ".level", spec.level(), 1, 5, problems);
              }
              if (spec.models() != null) {
                spec.models().forEach(ref -> modelRef(key + ".models", ref, problems));
              }
            });
  }

  static final Pattern MCP_SERVER_NAME = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
  static final Set<String> RISKS = Set.of("read", "write", "deploy");

  private static void validateMcp(SophiaConfig.Mcp m, List<String> problems) {
    for (String origin : m.allowedOrigins()) {
      url("mcp.allowed_origins", origin, false, problems);
    }
    m.servers()
        .forEach(
            (name, spec) -> {
              String key = "mcp.servers." + name;
              require(
                  name.length() <= 30 && MCP_SERVER_NAME.matcher(name).matches(),
                  key
                      + ": a server name is up to 30 of [a-z0-9_], starting with a letter, without"
                      + " '__' (its tools are named <server>__<tool>)",
                  problems);
              if (spec == null) {
                problems.add(key + " must be a mapping");
                return;
              }
              boolean command = spec.command() != null && !spec.command().isBlank();
              boolean http = spec.url() != null && !spec.url().isBlank();
              require(
                  command != http,
                  key + ": set either command (a stdio server) or url (an HTTP server)",
                  problems);
              if (http) {
                url(key + ".url", spec.url(), false, problems);
              }
              if (spec.oauth() != null) {
                validateMcpOAuth(key, spec, http, problems);
              }
              require(
                  spec.risk() == null || RISKS.contains(spec.risk()),
                  key + ".risk '" + spec.risk() + "' is not one of read, write, deploy",
                  problems);
              if (spec.timeoutMs() != null) {
                range(key + ".timeout_ms", spec.timeoutMs(), 100, 600_000, problems);
              }
            });
  }

  private static void validateMcpOAuth(
      String key, SophiaConfig.McpServerSpec spec, boolean http, List<String> problems) {
    SophiaConfig.McpOAuth o = spec.oauth();
    require(http, key + ".oauth needs url: OAuth is for an HTTP server", problems);
    require(
        blank(spec.tokenEnv()),
        key + ": set either token_env (a fixed token) or oauth, not both",
        problems);
    require(
        o.grant() == null || o.grant().equals("client_credentials") || o.signIn(),
        key + ".oauth.grant '" + o.grant() + "' is not client_credentials or authorization_code",
        problems);
    if (!blank(o.tokenUrl())) {
      require(
          !o.signIn(),
          key + ".oauth.token_url is discovered for authorization_code; remove it",
          problems);
      url(key + ".oauth.token_url", o.tokenUrl(), false, problems);
    }
    require(
        o.signIn() || !blank(o.clientId()),
        key + ".oauth.client_id must be set (authorization_code registers a client without it)",
        problems);
    boolean keyed = !blank(o.privateKeyEnv());
    require(
        !keyed || ENV_NAME.matcher(o.privateKeyEnv()).matches(),
        key + ".oauth.private_key_env must name an environment variable (not hold the key)",
        problems);
    require(
        !keyed || (!o.signIn() && blank(o.clientSecretEnv())),
        key + ".oauth.private_key_env is for client_credentials, instead of client_secret_env",
        problems);
    require(
        ((o.signIn() || keyed) && blank(o.clientSecretEnv()))
            || (!blank(o.clientSecretEnv()) && ENV_NAME.matcher(o.clientSecretEnv()).matches()),
        key + ".oauth.client_secret_env must name an environment variable (not hold the secret)",
        problems);
    require(
        !o.signIn() || blank(o.clientSecretEnv()) || !blank(o.clientId()),
        key + ".oauth.client_secret_env needs the client_id it belongs to",
        problems);
    if (o.redirectPort() != null) {
      range(key + ".oauth.redirect_port", o.redirectPort(), 0, 65_535, problems);
    }
    if (!blank(o.clientMetadataUrl())) {
      require(
          o.signIn(),
          key + ".oauth.client_metadata_url is for a sign-in (grant: authorization_code)",
          problems);
      require(
          clientMetadataUrl(o.clientMetadataUrl()),
          key
              + ".oauth.client_metadata_url must be an https URL with a path and no fragment"
              + " (it is the client_id), e.g. https://sophia.example.com/oauth/client-metadata.json",
          problems);
      String path = clientMetadataUrl(o.clientMetadataUrl()) ? uriPath(o.clientMetadataUrl()) : "";
      require(
          !SOPHIAS_PATHS.matcher(path).matches(),
          key
              + ".oauth.client_metadata_url's path "
              + path
              + " is one of Sophia's own routes; Sophia serves the document there, so choose"
              + " another, e.g. /oauth/client-metadata.json",
          problems);
    }
  }

  /** Paths Sophia's server answers itself, where a client metadata document cannot be served. */
  private static final Pattern SOPHIAS_PATHS =
      Pattern.compile(
          "/(health|metrics|mcp|api(/.*)?|ui(/.*)?|dashboard(/.*)?"
              + "|\\.well-known/oauth-protected-resource(/.*)?)/?");

  private static String uriPath(String url) {
    return java.net.URI.create(url).getRawPath();
  }

  /** A client ID metadata document's URL: https, a host, a path other than "/", no fragment. */
  private static boolean clientMetadataUrl(String value) {
    try {
      java.net.URI u = new java.net.URI(value);
      return "https".equals(u.getScheme())
          && u.getHost() != null
          && u.getRawPath() != null
          && u.getRawPath().length() > 1
          && u.getRawFragment() == null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  /** {@code value} names a readable file (the problem names the key and what the file is for). */
  private static void readableFile(String key, String value, String what, List<String> problems) {
    if (blank(value)) {
      problems.add(key + " must be set: the file with " + what);
    } else if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(value))) {
      problems.add(key + " is " + value + ", which is not a readable file");
    }
  }

  private static void require(boolean ok, String problem, List<String> problems) {
    if (!ok) {
      problems.add(problem);
    }
  }

  private static void range(String key, long value, long min, long max, List<String> problems) {
    require(
        value >= min && value <= max,
        key + " is " + value + " but must be between " + min + " and " + max,
        problems);
  }

  private static void url(String key, String value, boolean mayBeEmpty, List<String> problems) {
    if (value == null || value.isBlank()) {
      require(mayBeEmpty, key + " must be set", problems);
      return;
    }
    try {
      URI uri = URI.create(value);
      require(
          "http".equals(uri.getScheme()) || "https".equals(uri.getScheme()),
          key + " must be an http or https URL, got '" + value + "'",
          problems);
      require(uri.getHost() != null, key + " has no host: '" + value + "'", problems);
    } catch (IllegalArgumentException e) {
      problems.add(key + " is not a URL: '" + value + "'");
    }
  }

  static final Set<String> DEPLOY_TYPES = Set.of("fly", "local", "command", "webhook");
  static final Set<String> FLY_STRATEGIES = Set.of("rolling", "bluegreen", "canary", "immediate");
  static final Pattern DEPLOY_TARGET_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,39}");

  private static void validateDeploy(SophiaConfig.Deploy d, List<String> problems) {
    range("deploy.timeout_ms", d.timeoutMs(), 1_000, 86_400_000, problems);
    if (d.targets() == null) {
      return;
    }
    d.targets()
        .forEach(
            (name, t) -> {
              String key = "deploy.targets." + name;
              require(
                  DEPLOY_TARGET_NAME.matcher(name).matches(),
                  key + ": a target name is up to 40 of [a-z0-9_-], starting with a letter",
                  problems);
              if (t == null || !DEPLOY_TYPES.contains(t.type())) {
                problems.add(key + ".type must be one of fly, local, command, webhook");
                return;
              }
              if (t.healthUrl() != null) {
                url(key + ".health_url", t.healthUrl(), false, problems);
              }
              if (t.url() != null) {
                url(key + ".url", t.url(), false, problems);
              }
              if (t.healthTimeoutMs() != null) {
                range(key + ".health_timeout_ms", t.healthTimeoutMs(), 100, 3_600_000, problems);
              }
              switch (t.type()) {
                case "fly" -> {
                  require(
                      t.app() != null && REPOSITORY_NAME.matcher(t.app()).matches(),
                      key + ".app must be the Fly app's name",
                      problems);
                  require(
                      t.strategy() == null || FLY_STRATEGIES.contains(t.strategy()),
                      key + ".strategy must be one of " + FLY_STRATEGIES,
                      problems);
                  if (t.apiUrl() != null) {
                    url(key + ".api_url", t.apiUrl(), false, problems);
                  }
                  require(
                      t.tokenEnv() == null || ENV_NAME.matcher(t.tokenEnv()).matches(),
                      key + ".token_env must name an environment variable (not hold the token)",
                      problems);
                  if (t.waitTimeoutS() != null) {
                    range(key + ".wait_timeout_s", t.waitTimeoutS(), 1, 300, problems);
                  }
                }
                case "local" -> {
                  require(
                      t.command() != null && !t.command().isEmpty(),
                      key + ".command must list the program and its arguments",
                      problems);
                  List<Integer> ports = t.ports() == null ? List.of() : t.ports();
                  require(
                      ports.size() == 2 && !ports.get(0).equals(ports.get(1)),
                      key + ".ports must be two different ports the versions take in turn",
                      problems);
                  ports.forEach(p -> range(key + ".ports", p, 1, 65535, problems));
                  require(
                      t.healthPath() == null || t.healthPath().startsWith("/"),
                      key + ".health_path must start with /",
                      problems);
                }
                case "webhook" -> {
                  if (t.webhookUrl() == null) {
                    problems.add(key + ".webhook_url must be the hook's http(s) URL");
                  } else {
                    url(key + ".webhook_url", t.webhookUrl(), false, problems);
                  }
                  require(
                      t.secretEnv() != null && ENV_NAME.matcher(t.secretEnv()).matches(),
                      key
                          + ".secret_env must name the environment variable that holds the signing"
                          + " secret (not hold the secret)",
                      problems);
                  if (t.timeoutMs() != null) {
                    range(key + ".timeout_ms", t.timeoutMs(), 100, 3_600_000, problems);
                  }
                }
                default -> {
                  require(
                      t.command() != null && !t.command().isEmpty(),
                      key + ".command must list the program and its arguments",
                      problems);
                  if (t.timeoutMs() != null) {
                    range(key + ".timeout_ms", t.timeoutMs(), 100, 86_400_000, problems);
                  }
                }
              }
            });
  }

  private static void validateStorage(SophiaConfig.Storage s, List<String> problems) {
    if (s == null || s.postgres() == null) {
      problems.add("storage and storage.postgres must be mappings");
      return;
    }
    if (!Set.of("sqlite", "postgres").contains(String.valueOf(s.backend()))) {
      problems.add("storage.backend '" + s.backend() + "' is not one of sqlite, postgres");
      return;
    }
    SophiaConfig.Postgres p = s.postgres();
    // Flyway holds one connection for its lock while it migrates on another.
    range("storage.postgres.pool_size", p.poolSize(), 2, 200, problems);
    if (!s.postgresBackend()) {
      return;
    }
    String url = String.valueOf(p.url());
    if (!url.startsWith("jdbc:postgresql://")) {
      problems.add(
          "storage.postgres.url must be a JDBC URL such as jdbc:postgresql://host:5432/sophia"
              + " when storage.backend is postgres");
    } else if (url.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
      problems.add(
          "storage.postgres.url must not carry the password: set SOPHIA_STORAGE_POSTGRES_PASSWORD"
              + " or storage.postgres.password_file");
    }
    require(
        p.user() != null && !p.user().isBlank(),
        "storage.postgres.user must be set when storage.backend is postgres",
        problems);
    readable("storage.postgres.password_file", p.passwordFile(), problems);
  }

  private static void validateRedis(SophiaConfig.Redis r, List<String> problems) {
    if (r == null) {
      problems.add("redis must be a mapping");
      return;
    }
    range("redis.timeout_ms", r.timeoutMs(), 10, 60_000, problems);
    require(
        r.keyPrefix() != null && r.keyPrefix().matches("[A-Za-z0-9:._-]{0,64}"),
        "redis.key_prefix may hold only letters, digits and : . _ - (64 at most)",
        problems);
    if (!r.enabled()) {
      return;
    }
    readable("redis.password_file", r.passwordFile(), problems);
    String url = r.url().strip();
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      problems.add(
          "redis.url must be a Redis URL such as redis://redis.internal:6379/0 (rediss:// for"
              + " TLS), or empty for none");
    } else if (url.substring(url.indexOf("://") + 3).split("[/?]", 2)[0].contains("@")) {
      problems.add(
          "redis.url must not carry a user or password: set redis.user, and the password in"
              + " SOPHIA_REDIS_PASSWORD or redis.password_file");
    }
  }

  private static void readable(String key, String file, List<String> problems) {
    if (file != null && !file.isBlank() && !java.nio.file.Files.isReadable(Path.of(file))) {
      problems.add(key + " " + file + " is not a readable file");
    }
  }

  /** An issuer over https (http only on loopback, for a local issuer), with an audience. */
  private static void validateOidc(SophiaConfig.Oidc o, List<String> problems) {
    if (!o.enabled()) {
      return;
    }
    url("security.oidc.issuer", o.issuer(), false, problems);
    try {
      URI issuer = URI.create(o.issuer());
      String host = String.valueOf(issuer.getHost());
      boolean loopback =
          host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
      require(
          "https".equals(issuer.getScheme()) || loopback,
          "security.oidc.issuer must be https (http only on a loopback address)",
          problems);
    } catch (IllegalArgumentException e) {
      // url() named it already
    }
    require(
        !o.audience().isEmpty(),
        "security.oidc.audience must be set when security.oidc.issuer is (Sophia's URL, which tokens"
            + " must name in aud)",
        problems);
    range("security.oidc.clock_skew_seconds", o.clockSkewSeconds(), 0, 600, problems);
    if (o.signInEnabled()) {
      require(
          !o.redirectUri().isEmpty(),
          "security.oidc.redirect_uri must be set with security.oidc.client_id (Sophia's public URL"
              + " + /dashboard/oidc/callback, registered at the issuer)",
          problems);
      if (!o.redirectUri().isEmpty()) {
        url("security.oidc.redirect_uri", o.redirectUri(), false, problems);
      }
      require(
          o.scopes().contains("openid"),
          "security.oidc.scopes must include openid (the sign-in needs an ID token)",
          problems);
      readable("security.oidc.client_secret_file", o.clientSecretFile(), problems);
    }
  }

  private static void validateIndex(SophiaConfig.Index index, List<String> problems) {
    if (index == null || index.elasticsearch() == null) {
      problems.add("index and index.elasticsearch must be mappings");
      return;
    }
    if (!Set.of("lucene", "elasticsearch").contains(String.valueOf(index.backend()))) {
      problems.add("index.backend '" + index.backend() + "' is not one of lucene, elasticsearch");
      return;
    }
    if (!Set.of("blend", "learned").contains(String.valueOf(index.ranking()))) {
      problems.add("index.ranking '" + index.ranking() + "' is not one of blend, learned");
    }
    SophiaConfig.Elasticsearch es = index.elasticsearch();
    range("index.elasticsearch.timeout_ms", es.timeoutMs(), 100, 600_000, problems);
    String prefix = String.valueOf(es.indexPrefix());
    require(
        INDEX_PREFIX.matcher(prefix).matches(),
        "index.elasticsearch.index_prefix '"
            + prefix
            + "' must be lower-case letters, digits, '-' or '_', at most 64, not starting with"
            + " '-' or '_'",
        problems);
    if (!index.elasticsearchBackend()) {
      return;
    }
    if (es.urls() == null || es.urls().isEmpty()) {
      problems.add("index.elasticsearch.urls must list a node when index.backend is elasticsearch");
      return;
    }
    for (String u : es.urls()) {
      if (u != null && CREDENTIALS_IN_URL.matcher(u).find()) {
        problems.add(
            "index.elasticsearch.urls must not carry credentials: set"
                + " SOPHIA_INDEX_ELASTICSEARCH_PASSWORD or SOPHIA_INDEX_ELASTICSEARCH_API_KEY");
      } else {
        url("index.elasticsearch.urls", u, false, problems);
      }
    }
  }

  static final Pattern INDEX_PREFIX = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  private static void validateSwarm(SophiaConfig.Swarm s, List<String> problems) {
    if (s == null) {
      problems.add("swarm must be a mapping");
      return;
    }
    range("swarm.step_timeout_ms", s.stepTimeoutMs(), 100, 86_400_000, problems);
    range("swarm.step_attempts", s.stepAttempts(), 1, 10, problems);
    range("swarm.run_deadline_ms", s.runDeadlineMs(), 1_000, 30L * 86_400_000, problems);
    range("swarm.retention_days", s.retentionDays(), 1, 3650, problems);
    range("swarm.lease_ms", s.leaseMs(), 1_000, 600_000, problems);
    String node = s.nodeName() == null ? "" : s.nodeName();
    require(
        node.matches("[A-Za-z0-9._:-]{0,64}"),
        "swarm.node_name must be at most 64 letters, digits or . _ : - (no spaces, no '/')",
        problems);
    require(
        s.qualityThreshold() >= 0 && s.qualityThreshold() <= 1,
        "swarm.quality_threshold is " + s.qualityThreshold() + " but must be between 0 and 1",
        problems);
  }
}
