package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.code.GitRemotes;
import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.security.Role;
import ai.sophia.server.Sophia;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart as a real {@code sophia serve} process sees it: SIGTERM while a slow request is
 * in flight and an event stream is open. Readiness turns 503 while the listener still accepts, the
 * event stream ends cleanly, the slow request completes, and the process exits 0 within the bound.
 */
class GracefulShutdownTest {
  @TempDir Path tmp;
  SwarmModel model;
  ServerNode node;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (node != null) {
      node.kill();
    }
    model.close();
  }

  @Test
  void sigterm_duringSlowRequestAndEventStream_readinessFirstThenRequestCompletesAndExitsZero()
      throws Exception {
    model = new SwarmModel();
    model.agentDelay = Duration.ofSeconds(4);
    Path remote = GitRemotes.bare(tmp.resolve("demo.git"));
    Path config = ServerNode.config(tmp.resolve("sophia.yaml"), tmp.resolve("data"), model, remote);
    SophiaConfig loaded = ConfigLoader.create(Map.of()).load(Optional.of(config));
    String key =
        Sophia.withApiKeys(loaded, Map.of(), keys -> keys.create("drain", Role.admin).secret());
    node =
        new ServerNode(
            tmp,
            "server",
            config,
            Map.of("SOPHIA_SERVER_SHUTDOWN_DELAY_MS", "1500", "SOPHIA_SERVER_DRAIN_MS", "20000"),
            key);
    node.start();
    awaitStatus("/health/ready", 200, Duration.ofSeconds(60));
    assertThat(node.status("/health/live")).isEqualTo(200);

    // An event stream that would stay open for minutes: a swarm whose agents are slow.
    String swarm =
        node.trigger("{\"task\":\"What is Heliograph?\",\"agents\":[\"research\"]}")
            .path("task_id")
            .asText();
    List<String> streamed = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> stream =
        CompletableFuture.runAsync(
            () -> {
              try {
                HttpResponse<java.util.stream.Stream<String>> r =
                    node.http.send(
                        node.request("/api/v1/swarm/" + swarm + "/events")
                            .timeout(Duration.ofSeconds(120))
                            .GET()
                            .build(),
                        HttpResponse.BodyHandlers.ofLines());
                try (var lines = r.body()) {
                  lines.forEach(streamed::add);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    // The slow request: an agent whose model answers after 4 s.
    CompletableFuture<HttpResponse<String>> slow =
        node.http.sendAsync(
            node.request("/api/v1/intelligence/query")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"query\":\"Summarize Heliograph's releases\",\"agent_type\":\"analysis\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Instant until = Instant.now().plusSeconds(30);
    while (model.server.requests("/chat/completions").stream()
            .noneMatch(r -> r.body().contains("Summarize Heliograph"))
        && Instant.now().isBefore(until)) {
      Thread.sleep(20);
    }
    assertThat(slow).isNotDone();

    node.terminate();
    Instant notReady = awaitStatus("/health/ready", 503, Duration.ofMillis(1400));
    assertThat(node.alive()).isTrue();

    HttpResponse<String> answered = slow.get(30, TimeUnit.SECONDS);
    Instant completed = Instant.now();
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    assertThat(answered.body()).contains("\"status\":\"success\"");
    assertThat(notReady).isBefore(completed);
    stream.get(10, TimeUnit.SECONDS);
    assertThat(streamed).contains("retry: 1000").noneMatch(l -> l.contains("run_finished"));
    assertThat(node.awaitExit(Duration.ofSeconds(25))).as(node::log).isZero();
    assertThat(node.log()).contains("Sophia is draining").contains("Sophia stopped serving");
  }

  /**
   * When {@code path} first answered {@code status}, polled every 25 ms for at most {@code bound}.
   */
  private Instant awaitStatus(String path, int status, Duration bound) throws Exception {
    Instant until = Instant.now().plus(bound);
    int last = -1;
    while (Instant.now().isBefore(until)) {
      last = node.status(path);
      if (last == status) {
        return Instant.now();
      }
      Thread.sleep(25);
    }
    throw new AssertionError(path + " never answered " + status + " (last " + last + ")");
  }
}
