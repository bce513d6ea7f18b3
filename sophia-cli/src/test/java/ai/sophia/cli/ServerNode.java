package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real {@code sophia serve} process for the tests (a JVM of its own on the test's classpath, on a
 * fixed loopback port, restartable, killable with SIGKILL) and a client of its swarm API.
 */
final class ServerNode implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Path tmp;
  private final String name;
  private final Path config;
  private final Map<String, String> env;
  private final String key;
  final int port;
  private Process process;
  private Path log;
  private int starts;

  /** A node named {@code name} serving {@code config} plus {@code env}, called with {@code key}. */
  ServerNode(Path tmp, String name, Path config, Map<String, String> env, String key)
      throws IOException {
    this.tmp = tmp;
    this.name = name;
    this.config = config;
    this.env = Map.copyOf(env);
    this.key = key;
    try (ServerSocket socket = new ServerSocket(0)) {
      this.port = socket.getLocalPort();
    }
  }

  /**
   * Writes a configuration for a node: its data directory, {@code model} as its only model, and
   * {@code remote} as repository {@code demo}.
   */
  static Path config(Path file, Path dataDir, SwarmModel model, Path remote) throws IOException {
    return Files.writeString(
        file,
        "data_dir: "
            + dataDir
            + "\nmodels:\n  default_chain: [\"openai_compatible:test-model\"]\n"
            + "  providers:\n    openai_compatible:\n      base_url: "
            + model.baseUrl()
            + "\ncode:\n  repositories:\n    demo:\n      url: "
            + remote
            + "\n");
  }

  /**
   * Starts {@code sophia serve}. On this shared, loaded machine the embedding model's start-up
   * health check may miss its 10 s budget and stop start-up; that is tried again, twice at most.
   */
  ServerNode start() throws Exception {
    for (int attempt = 1; ; attempt++) {
      launch();
      if (awaitUp() || attempt == 3) {
        return this;
      }
    }
  }

  private void launch() throws IOException {
    log = tmp.resolve(name + "-" + (++starts) + ".log");
    ProcessBuilder pb =
        CliRun.inJvm("--config", config.toString(), "serve", "--port", Integer.toString(port))
            // A JVM crash report (hs_err) lands in the temporary folder, not in the module.
            .directory(tmp.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("SOPHIA_LOG_LEVEL", "INFO");
    pb.environment().putAll(env);
    process = pb.start();
  }

  /** True once the server answers; false when it stopped start-up for a slow component. */
  private boolean awaitUp() throws Exception {
    Instant until = Instant.now().plusSeconds(90);
    while (Instant.now().isBefore(until)) {
      if (!process.isAlive() && log().contains("start-up stopped: required components")) {
        return false;
      }
      assertThat(process.isAlive()).as(this::log).isTrue();
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() > 0) {
          return true;
        }
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError(name + ": sophia serve did not come up:\n" + log());
  }

  /** SIGTERM: the stop a rolling restart sends. */
  void terminate() {
    process.destroy();
  }

  /** The exit status, once the process ended within {@code bound}. */
  int awaitExit(Duration bound) throws InterruptedException {
    assertThat(process.waitFor(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
        .as("%s exits within %s", name, bound)
        .isTrue();
    return process.exitValue();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The status {@code path} answers a GET with; 0 when nothing answered. */
  int status(String path) throws InterruptedException {
    try {
      return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return 0;
    }
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye. */
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  /** What the server printed, for failure messages. */
  String log() {
    try {
      return log == null ? "(not started)" : Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** GET /health, whatever its status (503 when a component is down). */
  JsonNode health() throws Exception {
    HttpResponse<String> r =
        http.send(request("/health").GET().build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  JsonNode trigger(String body) throws Exception {
    HttpResponse<String> r = post("/api/v1/swarm/trigger", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body());
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** The swarm's report once {@code condition} holds (polled every 100 ms, 90 s at most). */
  JsonNode awaitReport(String id, Predicate<JsonNode> condition) throws Exception {
    Instant until = Instant.now().plusSeconds(90);
    JsonNode last = null;
    while (Instant.now().isBefore(until)) {
      last = get("/api/v1/swarm/" + id);
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + ": the swarm never got there: " + last);
  }

  /** Starts a run of agent {@code agent} without waiting for it; returns its id. */
  String startAgentRun(String agent, String body) throws Exception {
    HttpResponse<String> r = post("/api/v1/agents/" + agent + "/run", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body()).path("run_id").asText();
  }

  /** The agent run once {@code condition} holds (polled every 100 ms, 90 s at most). */
  JsonNode awaitAgentRun(String id, Predicate<JsonNode> condition) throws Exception {
    Instant until = Instant.now().plusSeconds(90);
    JsonNode last = null;
    while (Instant.now().isBefore(until)) {
      last = get("/api/v1/runs/" + id);
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + ": the agent run never got there: " + last);
  }

  /** True when the run's transcript has a call of {@code tool} that ended ok. */
  static boolean toolDone(JsonNode run, String tool) {
    for (JsonNode step : run.path("transcript")) {
      if (step.path("kind").asText().equals("tool_call")
          && step.path("tool").asText().equals(tool)
          && step.path("outcome").asText().equals("ok")) {
        return true;
      }
    }
    return false;
  }

  /** The run's events over server-sent events, from the first to run_finished. */
  List<JsonNode> events(String id) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    follow(id, 0, events::add);
    return events;
  }

  /**
   * Follows the swarm run's event stream after seq {@code after} (sent as Last-Event-ID), handing
   * each event to {@code each} as it comes, until run_finished or {@code each} answers false.
   */
  void follow(String id, long after, Predicate<JsonNode> each) throws Exception {
    stream("/api/v1/swarm/" + id + "/events", after, frame -> each.test(frame.path("data")));
  }

  /**
   * Follows the agent run's event stream after seq {@code after} as {@link #follow} does, handing
   * each frame to {@code each} as {@code {id, event, data}}.
   */
  void followRun(String id, long after, Predicate<JsonNode> each) throws Exception {
    stream("/api/v1/runs/" + id + "/events", after, each);
  }

  /** The agent run's frames, from the first to run_finished. */
  List<JsonNode> runEvents(String id) throws Exception {
    List<JsonNode> frames = new ArrayList<>();
    followRun(id, 0, frames::add);
    return frames;
  }

  private void stream(String path, long after, Predicate<JsonNode> each) throws Exception {
    HttpRequest.Builder request = request(path).timeout(Duration.ofSeconds(120)).GET();
    if (after > 0) {
      request.header("Last-Event-ID", Long.toString(after));
    }
    HttpResponse<java.util.stream.Stream<String>> r =
        http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    try (var lines = r.body()) {
      ObjectNode frame = JSON.createObjectNode();
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.startsWith("id: ")) {
          frame.put("id", Long.parseLong(line.substring(4)));
        } else if (line.startsWith("event: ")) {
          frame.put("event", line.substring(7));
        } else if (line.startsWith("data: ")) {
          frame.set("data", JSON.readTree(line.substring(6)));
        } else if (line.isEmpty() && frame.has("data")) {
          if (!each.test(frame)) {
            return;
          }
          frame = JSON.createObjectNode();
        }
      }
    }
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + key)
        .timeout(Duration.ofSeconds(30));
  }

  /** True when the report's timeline has {@code step} running. */
  static boolean running(JsonNode report, String step) {
    for (JsonNode s : report.path("execution_timeline")) {
      if (s.path("step").asText().equals(step)) {
        return s.path("status").asText().equals("running");
      }
    }
    return false;
  }
}
