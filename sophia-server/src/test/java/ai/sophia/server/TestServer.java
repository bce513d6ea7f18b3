package ai.sophia.server;

import ai.sophia.agent.AgentRuntime;
import ai.sophia.cache.CacheRegistry;
import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.health.HealthChecks;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.SqlOperationsStore;
import ai.sophia.memory.SqliteDatabase;
import ai.sophia.model.RoutingModelGateway;
import ai.sophia.model.SqlUsageStore;
import ai.sophia.research.Researcher;
import ai.sophia.security.ApiKeyStore;
import ai.sophia.security.Role;
import ai.sophia.security.SqlApiKeyStore;
import ai.sophia.tool.Tool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A real {@link SophiaServer} on an ephemeral loopback port over a real SQLite key store in a
 * temporary directory, plus a small HTTP client for it.
 */
final class TestServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Loads lazily: only tests that reach agent memory pay for the model. */
  static final OnnxEmbedder EMBEDDER = OnnxEmbedder.create("all-minilm-l6-v2");

  final SophiaConfig config;
  final SqliteDatabase database;
  final ApiKeyStore keys;
  final ai.sophia.security.AuditLog audit;
  final CacheRegistry caches = CacheRegistry.create();
  final LuceneDocumentIndex index;
  final RoutingModelGateway models;
  final AgentRuntime agents;
  final ai.sophia.deploy.Deployments deployments;
  final ai.sophia.swarm.SwarmEngine swarmEngine;
  final ai.sophia.swarm.SwarmCoordinator swarms;
  final ai.sophia.ingest.Ingestor ingestor;
  final ai.sophia.ingest.IngestJobs ingests;
  final HealthChecks health;
  final SophiaServer server;
  final int port;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestServer(
      Path dir,
      Map<String, String> env,
      String yaml,
      Researcher researcher,
      HealthChecks health,
      Tool[] tools) {
    this.health = health;
    Map<String, String> all = new HashMap<>(env);
    all.put("SOPHIA_SERVER_PORT", "0");
    all.put("SOPHIA_DATA_DIR", dir.toString());
    this.config =
        ConfigLoader.create(all).load(Optional.of(write(dir.resolve("sophia-test.yaml"), yaml)));
    this.database = SqliteDatabase.open(dir);
    this.keys = new SqlApiKeyStore(database);
    this.audit = new ai.sophia.security.SqlAuditLog(database);
    this.index = LuceneDocumentIndex.open(dir, EMBEDDER.model());
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SqlOperationsStore operations = new SqlOperationsStore(database);
    this.models =
        RoutingModelGateway.create(
            config.models(), Secrets.create(all), new SqlUsageStore(database), operations, metrics);
    AgentRuntime.Builder runtime =
        AgentRuntime.builder()
            .config(config)
            .gateway(models)
            .researcher(researcher)
            .index(index)
            .embedder(EMBEDDER)
            .database(database)
            .operations(operations);
    for (Tool tool : tools) {
      runtime.tool(tool);
    }
    this.deployments =
        ai.sophia.deploy.Deployments.create(
            config,
            Secrets.create(all),
            new ai.sophia.deploy.SqlDeploymentStore(database),
            java.time.Clock.systemUTC());
    this.agents = runtime.build();
    this.swarmEngine =
        ai.sophia.swarm.SwarmEngine.create(
            new ai.sophia.swarm.SqlSwarmStore(database),
            config.swarm(),
            java.time.Clock.systemUTC());
    this.swarms =
        ai.sophia.swarm.SwarmCoordinator.create(swarmEngine, agents, models, config.swarm());
    this.ingestor =
        ai.sophia.ingest.Ingestor.create(
            config,
            ai.sophia.web.PageExtractor.create(),
            ai.sophia.ingest.Chunker.create(),
            EMBEDDER,
            index,
            new ai.sophia.memory.SqlDocumentStore(database),
            java.time.Clock.systemUTC());
    this.ingests = ai.sophia.ingest.IngestJobs.create(ingestor, java.time.Clock.systemUTC());
    this.server =
        SophiaServer.create(
            config,
            new SophiaServer.Services(
                researcher,
                agents,
                models,
                ai.sophia.code.CodeChanges.create(
                    config, Secrets.create(all), operations, java.time.Clock.systemUTC()),
                deployments,
                swarms,
                ingestor,
                ingests,
                audit,
                new ai.sophia.security.TotpFactors(database, java.time.Clock.systemUTC()),
                Secrets.create(all),
                // The database here is not sealed; a keyring in env still keys the edge's state.
                all.containsKey("SOPHIA_ENCRYPTION_KEYS")
                    ? ai.sophia.security.FieldCipher.parse(all.get("SOPHIA_ENCRYPTION_KEYS"), "env")
                    : database.cipher()),
            SophiaServer.Shared.local(config),
            keys,
            health,
            caches,
            metrics,
            ai.sophia.tracing.Tracing.off());
    this.port = server.start();
  }

  static TestServer start(Path dir) {
    return start(dir, Map.of(), new RefusingResearcher(), HealthChecks.create());
  }

  static TestServer start(
      Path dir, Map<String, String> env, Researcher researcher, HealthChecks health) {
    return new TestServer(dir, env, "", researcher, health, new Tool[0]);
  }

  /** A server configured by {@code env} and {@code yaml}, researching with {@code researcher}. */
  static TestServer create(
      Path dir, Map<String, String> env, String yaml, Researcher researcher, HealthChecks health) {
    return new TestServer(dir, env, yaml, researcher, health, new Tool[0]);
  }

  /** A server configured by {@code env} and {@code yaml} whose agents also have these tools. */
  static TestServer withTools(Path dir, Map<String, String> env, String yaml, Tool... tools) {
    return new TestServer(dir, env, yaml, new RefusingResearcher(), HealthChecks.create(), tools);
  }

  /** A server whose models are the scripted OpenAI-compatible {@code model}. */
  static TestServer withModel(Path dir, ai.sophia.model.ScriptedOpenAiServer model) {
    return withTools(
        dir,
        Map.of(
            "SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL",
            model.baseUrl(),
            "SOPHIA_MODELS_DEFAULT_CHAIN",
            "openai_compatible:test-model"),
        "");
  }

  private static Path write(Path file, String text) {
    try {
      return java.nio.file.Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new key's secret. */
  String key(Role role) {
    return keys.create("test-" + role, role).secret();
  }

  HttpResponse<String> get(String path, String... headers) {
    return send(request(path, headers).GET());
  }

  HttpResponse<String> post(String path, String contentType, String body, String... headers) {
    HttpRequest.Builder builder =
        request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    return send(builder);
  }

  HttpResponse<String> send(String method, String path, String... headers) {
    return send(request(path, headers).method(method, HttpRequest.BodyPublishers.noBody()));
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + response.body(), e);
    }
  }

  /** An error body shows no exception class, stack frame, or server path. */
  static void assertNoInternals(HttpResponse<String> response, Path dir) {
    org.assertj.core.api.Assertions.assertThat(response.body())
        .doesNotContain("Exception", "at ai.sophia", dir.toAbsolutePath().toString())
        .doesNotContain(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath() + "/");
  }

  static String bearer(String secret) {
    return "Bearer " + secret;
  }

  private HttpRequest.Builder request(String path, String... headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return builder;
  }

  private HttpResponse<String> send(HttpRequest.Builder builder) {
    try {
      return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close();
    ingests.close();
    swarmEngine.close();
    deployments.close();
    agents.close();
    index.close();
    database.close();
  }
}
