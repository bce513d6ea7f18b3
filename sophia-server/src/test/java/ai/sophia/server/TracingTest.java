package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.model.ScriptedOpenAiServer;
import ai.sophia.model.ToolCall;
import ai.sophia.security.Role;
import ai.sophia.server.OtlpReceiver.Received;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing end to end: a real Sophia, built as {@code sophia serve} builds it, with tracing on,
 * exporting over OTLP/HTTP to a loopback receiver that decodes the real protobuf. A research
 * request, an agent run with a tool call and a swarm run, each checked span by span (names,
 * parent/child links, gen_ai attributes), against the trace id in the API's answer and in the JSON
 * log lines; a caller's {@code traceparent} is continued. With tracing off, no exporter thread and
 * no trace ids.
 */
class TracingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SERVER = 2;
  private static final int CLIENT = 3;
  private static final String COLLECTOR_TOKEN = "s3cret-collector-token";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ScriptedOpenAiServer model = ScriptedOpenAiServer.start();
  private final OtlpReceiver receiver = OtlpReceiver.start();
  private final LogLines logs = LogLines.attach();

  private Sophia sophia;
  private int port;
  private String key;

  @BeforeEach
  void start() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("SOPHIA_DATA_DIR", dir.resolve("data").toString());
    env.put("SOPHIA_SERVER_PORT", "0");
    env.put("SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL", model.baseUrl());
    env.put("SOPHIA_MODELS_DEFAULT_CHAIN", "openai_compatible:test-model");
    env.put("SOPHIA_MODELS_MAX_ATTEMPTS", "1");
    env.put("SOPHIA_TRACING_ENABLED", "true");
    env.put("SOPHIA_TRACING_OTLP_ENDPOINT", receiver.endpoint());
    env.put("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20" + COLLECTOR_TOKEN);
    SophiaConfig config = ConfigLoader.create(env).load(Optional.empty());
    sophia = Sophia.open(config, env);
    sophia.ingestor().ingest(TestDocs.walFolder(dir).toString(), false, IngestProgress.none());
    port = sophia.serve(new PrintWriter(new StringWriter()));
    key = sophia.apiKeys().create("tracing", Role.user).secret();
  }

  @AfterEach
  void stop() {
    if (sophia != null) {
      sophia.close();
    }
    logs.detach();
    receiver.close();
    model.close();
  }

  @Test
  void research_callersTraceparent_continuedThroughEveryStageAndInTheLogs() throws Exception {
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    model.reply(
        "{\"summaries\":[{\"source\":1,\"summary\":\"WAL mode lets readers read during a write.\"}],"
            + "\"claims\":[{\"text\":\"Readers keep reading the database while one writer appends"
            + " new pages to the log.\",\"sources\":[1]}]}");

    HttpResponse<String> chat =
        post(
            "/api/v1/chat",
            "{\"query\":\"how do readers work in WAL mode\",\"search_engine\":\"local\"}",
            "traceparent",
            "00-" + trace + "-" + callerSpan + "-01");

    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    assertThat(JSON.readTree(chat.body()).path("trace_id").asText()).isEqualTo(trace);
    Received server = receiver.await(s -> s.traceId().equals(trace) && s.kind() == SERVER);
    assertThat(server.name()).isEqualTo("POST /api/v1/chat");
    assertThat(server.parentSpanId()).isEqualTo(callerSpan);
    assertThat(server.number("http.response.status_code")).isEqualTo(200);
    assertThat(server.string("http.route")).isEqualTo("/api/v1/chat");
    assertThat(server.service()).isEqualTo("sophia");
    Received research =
        receiver.await(s -> s.traceId().equals(trace) && s.name().equals("research"));
    assertThat(research.parentSpanId()).isEqualTo(server.spanId());
    assertThat(research.string("sophia.research.engine")).isEqualTo("local");
    Received summarize = receiver.await(named(trace, "research.summarize"));
    for (String stage : List.of("research.search", "research.fetch", "research.rank")) {
      assertThat(receiver.await(named(trace, stage)).parentSpanId())
          .as(stage)
          .isEqualTo(research.spanId());
    }
    assertThat(summarize.parentSpanId()).isEqualTo(research.spanId());
    Received call = receiver.await(named(trace, "chat test-model"));
    assertThat(call.parentSpanId()).isEqualTo(summarize.spanId());
    assertThat(call.kind()).isEqualTo(CLIENT);
    assertThat(call.string("gen_ai.operation.name")).isEqualTo("chat");
    assertThat(call.string("gen_ai.request.model")).isEqualTo("test-model");
    assertThat(call.string("gen_ai.provider.name")).isEqualTo("openai_compatible");
    assertThat(call.number("gen_ai.usage.input_tokens")).isPositive();
    assertThat(call.attributes()).containsKey("sophia.cost_usd");

    JsonNode access = accessLine("/api/v1/chat");
    assertThat(access.path("trace_id").asText()).isEqualTo(trace);
    assertThat(access.path("span_id").asText()).isEqualTo(server.spanId());
    JsonNode done = line(l -> l.path("message").asText().startsWith("research res_"));
    assertThat(done.path("trace_id").asText()).isEqualTo(trace);
    assertThat(done.path("span_id").asText()).isEqualTo(research.spanId());
    // The collector's credentials reach the collector, never a log line.
    assertThat(receiver.authorizations()).contains("Bearer " + COLLECTOR_TOKEN);
    assertThat(logs.lines()).noneMatch(l -> l.contains(COLLECTOR_TOKEN));
    assertThat(receiver.malformed()).isZero();
  }

  @Test
  void agentRun_toolCall_modelCallsAndToolUnderTheRunAcrossItsThreads() throws Exception {
    model
        .toolCalls(new ToolCall("call_1", "memory_search", "{\"query\":\"write-ahead log\"}"))
        .reply("Readers keep reading while one writer appends [1].");

    HttpResponse<String> run =
        post(
            "/api/v1/agents/analysis/run",
            "{\"input\":\"What do we know about WAL?\",\"wait\":true}");

    assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(run.body());
    String trace = body.path("trace_id").asText();
    assertThat(trace).matches("[0-9a-f]{32}");
    Received server = receiver.await(s -> s.traceId().equals(trace) && s.kind() == SERVER);
    assertThat(server.name()).isEqualTo("POST /api/v1/agents/{name}/run");
    Received agent = receiver.await(named(trace, "invoke_agent analysis"));
    assertThat(agent.parentSpanId()).isEqualTo(server.spanId());
    assertThat(agent.string("gen_ai.operation.name")).isEqualTo("invoke_agent");
    assertThat(agent.string("gen_ai.agent.name")).isEqualTo("analysis");
    assertThat(agent.string("sophia.run.id")).isEqualTo(body.path("run_id").asText());
    assertThat(agent.string("sophia.run.status")).isEqualTo("succeeded");
    assertThat(agent.number("gen_ai.usage.output_tokens")).isPositive();
    Received tool = receiver.await(named(trace, "execute_tool memory_search"));
    assertThat(tool.parentSpanId()).isEqualTo(agent.spanId());
    assertThat(tool.string("gen_ai.tool.name")).isEqualTo("memory_search");
    assertThat(tool.string("gen_ai.tool.call.id")).isEqualTo("call_1");
    assertThat(tool.string("sophia.tool.outcome")).isEqualTo("ok");
    awaitCount(trace, "chat test-model", 2);
    assertThat(receiver.trace(trace))
        .filteredOn(s -> s.name().equals("chat test-model"))
        .allSatisfy(
            c -> {
              assertThat(c.parentSpanId()).isEqualTo(agent.spanId());
              assertThat(c.string("gen_ai.request.model")).isEqualTo("test-model");
            });
    assertThat(accessLine("/api/v1/agents/analysis/run").path("trace_id").asText())
        .isEqualTo(trace);
    assertThat(get("/api/v1/runs/" + body.path("run_id").asText()).path("trace_id").asText())
        .isEqualTo(trace);
  }

  @Test
  void swarmRun_waits_stepsAndTheirAgentsInTheTriggersTrace() throws Exception {
    model
        .reply("{\"subtasks\":[{\"task\":\"Digest what we know\",\"agent\":\"analysis\"}]}")
        .reply("Readers keep reading while one writer appends [1].");

    HttpResponse<String> swarm =
        post("/api/v1/swarm/trigger", "{\"task\":\"What do we know about WAL?\",\"wait\":true}");

    assertThat(swarm.statusCode()).as(swarm.body()).isEqualTo(200);
    JsonNode report = JSON.readTree(swarm.body());
    String trace = report.path("trace_id").asText();
    assertThat(trace).matches("[0-9a-f]{32}");
    Received server = receiver.await(s -> s.traceId().equals(trace) && s.kind() == SERVER);
    assertThat(server.name()).isEqualTo("POST /api/v1/swarm/trigger");
    Received run =
        receiver.await(s -> s.traceId().equals(trace) && s.name().startsWith("swarm.run "));
    assertThat(run.parentSpanId()).isEqualTo(server.spanId());
    assertThat(run.string("sophia.swarm.run_id")).isEqualTo(report.path("task_id").asText());
    Received analysis = receiver.await(named(trace, "swarm.step task_analysis"));
    assertThat(analysis.parentSpanId()).isEqualTo(run.spanId());
    assertThat(analysis.string("sophia.swarm.step.outcome")).isEqualTo("done");
    Received branch =
        receiver.await(
            s ->
                s.traceId().equals(trace)
                    && s.string("sophia.swarm.step.key").equals("parallel_execution[0]"));
    Received agent = receiver.await(named(trace, "invoke_agent analysis"));
    assertThat(ancestors(trace, agent)).contains(branch.spanId(), run.spanId());
    assertThat(receiver.trace(trace))
        .filteredOn(s -> s.name().equals("chat test-model"))
        .isNotEmpty();
    assertThat(get("/api/v1/swarm/" + report.path("task_id").asText()).path("trace_id").asText())
        .isEqualTo(trace);
  }

  private static java.util.function.Predicate<Received> named(String trace, String name) {
    return s -> s.traceId().equals(trace) && s.name().equals(name);
  }

  /** The span ids above {@code span} in its trace, nearest first. */
  private List<String> ancestors(String trace, Received span) {
    Map<String, Received> byId =
        receiver.trace(trace).stream().collect(Collectors.toMap(Received::spanId, s -> s));
    List<String> out = new java.util.ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (Received at = byId.get(span.parentSpanId());
        at != null && seen.add(at.spanId());
        at = byId.get(at.parentSpanId())) {
      out.add(at.spanId());
    }
    return out;
  }

  private void awaitCount(String trace, String name, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (receiver.trace(trace).stream().filter(s -> s.name().equals(name)).count() < count) {
      assertThat(System.nanoTime()).as("%d spans %s", count, name).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private JsonNode accessLine(String path) throws InterruptedException {
    return line(
        l ->
            l.path("logger").asText().equals("ai.sophia.access")
                && l.path("path").asText().equals(path));
  }

  /** The first log line that matches, waiting a little: the access line follows the answer. */
  private JsonNode line(java.util.function.Predicate<JsonNode> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      Optional<JsonNode> found = logs.json().stream().filter(wanted).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      assertThat(System.nanoTime())
          .as("a matching log line in %s", logs.lines())
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
