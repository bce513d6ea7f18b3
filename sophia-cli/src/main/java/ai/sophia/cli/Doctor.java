package ai.sophia.cli;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.error.StorageException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import ai.sophia.mcp.McpClients;
import ai.sophia.mcp.McpTokenStore;
import ai.sophia.memory.Database;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.redis.Redis;
import ai.sophia.server.Sophia;
import ai.sophia.server.Version;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The checks behind {@code sophia doctor}, each probing one real component: the JDK, the data
 * directory, the store, the index, the embedding model, every search and model provider
 * (reachability only, in parallel, 3 s each) and every configured MCP server (connected, within its
 * {@code timeout_ms}, and its tools listed). A provider or MCP server problem is reported but is
 * not fatal.
 */
final class Doctor {
  static final Duration PROVIDER_TIMEOUT = Duration.ofSeconds(3);
  static final int MIN_JDK = 21;

  /** One line of the report; {@code required} failures make doctor exit non-zero. */
  record Check(Outcome outcome, boolean required, String text) {
    enum Outcome {
      OK,
      FAILED,
      SKIPPED
    }

    static Check ok(String text) {
      return new Check(Outcome.OK, true, text);
    }

    static Check failed(boolean required, String text) {
      return new Check(Outcome.FAILED, required, text);
    }

    boolean fatal() {
      return outcome == Outcome.FAILED && required;
    }

    String line() {
      String mark =
          switch (outcome) {
            case OK -> "✓";
            case FAILED -> "✗";
            case SKIPPED -> "–";
          };
      return mark + " " + text + (outcome == Outcome.FAILED && !required ? " (not required)" : "");
    }
  }

  private Doctor() {}

  static Check jdk() {
    Runtime.Version version = Runtime.version();
    String text = "JDK " + version + " (" + MIN_JDK + " or newer needed)";
    return version.feature() >= MIN_JDK ? Check.ok(text) : Check.failed(true, text);
  }

  static Check dataDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".doctor", ".tmp");
      Files.delete(probe);
      return Check.ok("data directory " + dir.toAbsolutePath() + " is writable");
    } catch (IOException e) {
      return Check.failed(
          true, "data directory " + dir.toAbsolutePath() + " is not writable: " + e.getMessage());
    }
  }

  static Check store(SophiaConfig config, Map<String, String> env) {
    try (Database database = Database.open(config, Secrets.create(env))) {
      HealthStatus status = database.healthCheck().check();
      return Check.ok(
          "store opens: "
              + (config.storage().postgresBackend() ? "PostgreSQL at " : "SQLite at ")
              + database.describe()
              + ", schema version "
              + database.schemaVersion()
              + (status.detail().isEmpty() ? "" : " (" + status.detail() + ")"));
    } catch (Exception e) {
      return Check.failed(true, "store does not open: " + e.getMessage());
    }
  }

  /**
   * The Redis the nodes share, when {@code redis.url} is set; not required (Sophia runs without).
   */
  static Check redis(SophiaConfig config, Map<String, String> env) {
    if (!config.redis().enabled()) {
      return new Check(
          Check.Outcome.SKIPPED,
          false,
          "Redis: none (redis.url is empty): rate limits, sessions and caches are this node's own");
    }
    try (Redis redis = Redis.connect(config.redis(), Secrets.create(env))) {
      HealthStatus status = redis.healthCheck().check();
      String text = "Redis " + status.state() + ": " + status.detail();
      return status.state() == HealthStatus.State.up
          ? Check.ok(text + " " + status.facts())
          : Check.failed(false, text);
    } catch (Exception e) {
      return Check.failed(false, "Redis: " + e.getMessage());
    }
  }

  static Check index(SophiaConfig config, Map<String, String> env) {
    try (DocumentIndex index = Sophia.openIndex(config, Secrets.create(env))) {
      return Check.ok(
          "index opens"
              + (config.index().elasticsearchBackend()
                  ? " (Elasticsearch at " + config.index().elasticsearch().urls() + ")"
                  : "")
              + ": "
              + index.count("documents")
              + " ingested passages, "
              + index.count("research_data")
              + " researched passages");
    } catch (RuntimeException e) {
      if (lockedByAnotherProcess(e)) {
        return new Check(
            Check.Outcome.SKIPPED,
            false,
            "index is in use by another Sophia process (a running 'sophia serve'?); not opened");
      }
      return Check.failed(true, "index does not open: " + e.getMessage());
    }
  }

  static Check embeddings(String model) {
    long started = System.nanoTime();
    try {
      OnnxEmbedder embedder = OnnxEmbedder.create(model);
      float[] vector = embedder.embedQuery("doctor check");
      long ms = (System.nanoTime() - started) / 1_000_000;
      return Check.ok(
          "embedding model " + model + " loads (" + vector.length + " dimensions, " + ms + " ms)");
    } catch (RuntimeException e) {
      return Check.failed(true, "embedding model " + model + " does not load: " + e.getMessage());
    }
  }

  /** An external service to probe: what to call it, its configuration key, URL and key variable. */
  private record Target(String label, String key, String baseUrl, String apiKeyEnv) {}

  /**
   * Every web search provider and model provider: configured? reachable? Checked in parallel. A
   * model provider is probed like a search provider (a HEAD request), never with a paid call.
   */
  static List<Check> providers(SophiaConfig config, Map<String, String> env) {
    Secrets secrets = Secrets.create(env);
    SophiaConfig.Providers p = config.providers();
    List<Target> providers = new ArrayList<>();
    search(providers, "duckduckgo", p.duckduckgo());
    search(providers, "searxng", p.searxng());
    search(providers, "serper", p.serper());
    search(providers, "brave", p.brave());
    search(providers, "tavily", p.tavily());
    if (config.models().mode() == SophiaConfig.Mode.auto) {
      SophiaConfig.ModelProviders m = config.models().providers();
      model(providers, "openrouter", m.openrouter());
      model(providers, "openai_compatible", m.openaiCompatible());
      model(providers, "anthropic", m.anthropic());
    }
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(PROVIDER_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    List<Future<Check>> pending = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      providers.forEach(
          target -> pending.add(executor.submit(() -> provider(http, target, secrets))));
      List<Check> checks = new ArrayList<>();
      for (Future<Check> future : pending) {
        checks.add(future.get());
      }
      return checks;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of(Check.failed(false, "search providers: interrupted"));
    } catch (java.util.concurrent.ExecutionException e) {
      return List.of(Check.failed(false, "search providers: " + e.getCause()));
    }
  }

  private static void search(List<Target> out, String name, SophiaConfig.Provider provider) {
    out.add(
        new Target(
            "search " + name, "providers." + name, provider.baseUrl(), provider.apiKeyEnv()));
  }

  private static void model(List<Target> out, String name, SophiaConfig.ModelProvider provider) {
    // The OpenAI-compatible server's key is optional (a local Ollama has none).
    String keyEnv = name.equals("openai_compatible") ? null : provider.apiKeyEnv();
    out.add(new Target("model " + name, "models.providers." + name, provider.baseUrl(), keyEnv));
  }

  /**
   * One check per MCP server in {@code mcp.servers}: connected and its tools listed, or why not.
   */
  static List<Check> mcpServers(SophiaConfig config, Map<String, String> env) {
    if (config.mcp().servers().isEmpty()) {
      return List.of(
          new Check(Check.Outcome.SKIPPED, false, "MCP servers: none configured (mcp.servers)"));
    }
    try {
      // The tokens a sign-in (sophia mcp login) or the server stored, as the server would use them.
      return Sophia.withMcpTokens(config, env, store -> mcpChecks(config, env, store));
    } catch (StorageException e) {
      // The database is down (its own check says so): tokens of this run only.
      return mcpChecks(config, env, McpTokenStore.inMemory());
    }
  }

  private static List<Check> mcpChecks(
      SophiaConfig config, Map<String, String> env, McpTokenStore tokens) {
    List<Check> checks = new ArrayList<>();
    try (McpClients clients = McpClients.connect(config, env, Version.current(), tokens)) {
      for (HealthCheck server : clients.healthChecks()) {
        String name = server.name().substring("mcp.".length());
        HealthStatus status;
        try {
          status = server.check();
        } catch (Exception e) {
          status = HealthStatus.down(describe(e));
        }
        checks.add(
            status.state() == HealthStatus.State.up
                ? Check.ok("MCP server " + name + ": " + status.detail())
                : Check.failed(false, "MCP server " + name + ": " + status.detail()));
      }
    }
    return checks;
  }

  private static Check provider(HttpClient http, Target provider, Secrets secrets) {
    String label = provider.label();
    if (provider.baseUrl() == null || provider.baseUrl().isBlank()) {
      return new Check(
          Check.Outcome.SKIPPED,
          false,
          label + ": not configured (" + provider.key() + ".base_url is empty)");
    }
    String keyEnv = provider.apiKeyEnv();
    if (keyEnv != null && !keyEnv.isBlank() && secrets.get(keyEnv).isEmpty()) {
      return new Check(
          Check.Outcome.SKIPPED,
          false,
          label + ": not configured (set " + keyEnv + " or " + keyEnv + "_FILE)");
    }
    long started = System.nanoTime();
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(provider.baseUrl()))
              .method("HEAD", HttpRequest.BodyPublishers.noBody())
              .timeout(PROVIDER_TIMEOUT)
              .build();
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      long ms = (System.nanoTime() - started) / 1_000_000;
      return new Check(
          Check.Outcome.OK,
          false,
          label
              + ": reachable at "
              + provider.baseUrl()
              + " (HTTP "
              + status
              + " in "
              + ms
              + " ms)");
    } catch (IOException | IllegalArgumentException e) {
      return Check.failed(
          false, label + ": unreachable at " + provider.baseUrl() + " (" + describe(e) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Check.failed(false, label + ": interrupted");
    }
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message);
  }

  private static boolean lockedByAnotherProcess(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.lucene.store.LockObtainFailedException) {
        return true;
      }
    }
    return false;
  }
}
