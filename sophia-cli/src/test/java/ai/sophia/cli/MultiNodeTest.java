package ai.sophia.cli;

import static ai.sophia.cli.ServerNode.running;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.code.GitRemotes;
import ai.sophia.config.ConfigLoader;
import ai.sophia.memory.TestPostgres;
import ai.sophia.security.Role;
import ai.sophia.server.Sophia;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real {@code sophia serve} processes, nodes A and B, each with its own data directory, on one
 * real PostgreSQL. Their node names differ, so neither can tell from the process table that the
 * other died: only the lease ({@value #LEASE_MS} ms here) can. A client of B follows a run on A and
 * cancels another; PostgreSQL restarts under both; A is killed with SIGKILL in the middle of a
 * development swarm and B finishes it, its commit landing once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeTest {
  private static final long LEASE_MS = 3_000;

  Path tmp;
  SwarmModel model;
  Path remote;
  ServerNode a;
  ServerNode b;

  @BeforeAll
  void startTwoNodes(@TempDir Path dir) throws Exception {
    tmp = dir;
    model = new SwarmModel();
    remote = GitRemotes.bare(tmp.resolve("demo.git"));
    Map<String, String> shared = new HashMap<>();
    shared.put("SOPHIA_STORAGE_BACKEND", "postgres");
    shared.put("SOPHIA_STORAGE_POSTGRES_URL", TestPostgres.get().create("multinode"));
    shared.put("SOPHIA_STORAGE_POSTGRES_USER", TestPostgres.USER);
    shared.put("SOPHIA_STORAGE_POSTGRES_PASSWORD", TestPostgres.PASSWORD);
    shared.put("SOPHIA_SWARM_LEASE_MS", Long.toString(LEASE_MS));
    Path configA = config("a");
    String key =
        Sophia.withApiKeys(
            ConfigLoader.create(shared).load(Optional.of(configA)),
            shared,
            keys -> keys.create("multi-node-test", Role.admin).secret());
    a = new ServerNode(tmp, "node-a", configA, node(shared, "node-a"), key).start();
    b = new ServerNode(tmp, "node-b", config("b"), node(shared, "node-b"), key).start();
  }

  private Path config(String node) throws Exception {
    return ServerNode.config(
        tmp.resolve("sophia-" + node + ".yaml"), tmp.resolve("data-" + node), model, remote);
  }

  private static Map<String, String> node(Map<String, String> shared, String name) {
    Map<String, String> env = new HashMap<>(shared);
    env.put("SOPHIA_SWARM_NODE_NAME", name);
    return env;
  }

  @AfterAll
  void stopNodes() throws Exception {
    a.close();
    b.close();
    model.close();
  }

  @Test
  @Order(1)
  void events_clientOfNodeBFollowsARunOnNodeA_everyEventInOrderAndResumesByLastEventId()
      throws Exception {
    model.agentDelay = Duration.ofMillis(800);
    String id =
        a.trigger("{\"task\":\"What is Heliograph?\",\"agents\":[\"research\"]}")
            .path("task_id")
            .asText();
    List<JsonNode> onB = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> following =
        CompletableFuture.runAsync(
            () -> {
              try {
                b.follow(id, 0, onB::add);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    // A second client of A reads three events, drops, and takes up the rest on B.
    List<JsonNode> resumed = new ArrayList<>();
    a.follow(id, 0, e -> resumed.add(e) && resumed.size() < 3);
    b.follow(id, 3, resumed::add);
    following.get(60, TimeUnit.SECONDS);

    List<JsonNode> onA = a.events(id);
    assertThat(onA.getLast().path("type").asText()).isEqualTo("run_finished");
    assertThat(seqs(onA)).isEqualTo(range(onA.size()));
    // Equal as JSON (each node orders an event's fields its own way).
    assertThat(onB).containsExactlyElementsOf(onA);
    assertThat(resumed).containsExactlyElementsOf(onA);
    assertThat(b.get("/api/v1/swarm/" + id).path("status").asText()).isEqualTo("succeeded");
  }

  @Test
  @Order(1)
  void agentRunEvents_clientOfNodeBFollowsARunOnNodeA_everyEventInOrderAndResumesByLastEventId()
      throws Exception {
    model.agentDelay = Duration.ofMillis(1500);
    String id = a.startAgentRun("research", "{\"input\":\"What is Heliograph?\"}");
    List<JsonNode> onB = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> following =
        CompletableFuture.runAsync(
            () -> {
              try {
                b.followRun(id, 0, onB::add);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    // Another client of B reads two events, drops, and takes up the rest on B by its last id.
    List<JsonNode> resumed = new ArrayList<>();
    b.followRun(id, 0, e -> resumed.add(e) && resumed.size() < 2);
    b.followRun(id, resumed.getLast().path("id").asLong(), resumed::add);
    following.get(60, TimeUnit.SECONDS);

    List<JsonNode> onA = a.runEvents(id); // from A's memory: A runs it
    assertThat(onA.getFirst().path("event").asText()).isEqualTo("run_started");
    assertThat(onA.getLast().path("event").asText()).isEqualTo("run_finished");
    assertThat(onA.stream().map(e -> e.path("id").asLong()).toList()).isEqualTo(range(onA.size()));
    assertThat(onB).containsExactlyElementsOf(onA);
    assertThat(resumed).containsExactlyElementsOf(onA);
    assertThat(b.get("/api/v1/runs/" + id).path("status").asText()).isEqualTo("succeeded");
    System.out.println("[multi-node] agent run on A: " + onB.size() + " events followed on B");
  }

  @Test
  @Order(2)
  void cancel_askedOnNodeB_stopsTheRunOnNodeA() throws Exception {
    model.agentDelay = Duration.ofSeconds(30);
    String id =
        a.trigger("{\"task\":\"What is Heliograph?\",\"agents\":[\"research\"]}")
            .path("task_id")
            .asText();
    a.awaitReport(id, r -> running(r, "parallel_execution[0]"));

    Instant asked = Instant.now();
    HttpResponse<String> r = b.post("/api/v1/swarm/" + id + "/cancel", "{}");
    long tookMs = Duration.between(asked, Instant.now()).toMillis();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(r.body()).contains("\"status\":\"cancelled\"");
    JsonNode onA = a.awaitReport(id, rep -> rep.path("status").asText().equals("cancelled"));
    assertThat(running(onA, "parallel_execution[0]")).isFalse();
    assertThat(a.events(id).getLast().path("type").asText()).isEqualTo("run_finished");
    System.out.println("[multi-node] cancel on B of a run on A answered in " + tookMs + " ms");
    model.agentDelay = Duration.ofSeconds(4);
  }

  @Test
  @Order(3)
  void postgresRestarted_bothNodesReconnect_andBFollowsANewRunOnA() throws Exception {
    TestPostgres.get().restart();

    for (ServerNode node : List.of(a, b)) {
      JsonNode health = awaitStoreUp(node);
      assertThat(health.path("components").toString()).contains("postgresql");
    }
    model.agentDelay = Duration.ofMillis(500);
    String id =
        a.trigger("{\"task\":\"What is Heliograph?\",\"agents\":[\"research\"]}")
            .path("task_id")
            .asText();
    List<JsonNode> onB = b.events(id);

    assertThat(onB.getLast().path("data").path("status").asText()).isEqualTo("succeeded");
    assertThat(seqs(onB)).isEqualTo(range(onB.size()));
    assertThat(onB).containsExactlyElementsOf(a.events(id));
    assertThat(b.log()).contains("listening on PostgreSQL channel sophia_swarm again");
  }

  /** /health of the node once its store answers again after the restart (30 s at most). */
  private static JsonNode awaitStoreUp(ServerNode node) throws Exception {
    Instant until = Instant.now().plusSeconds(30);
    JsonNode health = null;
    while (Instant.now().isBefore(until)) {
      health = node.health();
      if (storeUp(health)) {
        return health;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the store of a node did not come back: " + health);
  }

  private static boolean storeUp(JsonNode health) {
    for (JsonNode c : health.path("components")) {
      if (c.path("name").asText().equals("store")) {
        return c.path("status").asText().equals("up");
      }
    }
    return false;
  }

  @Test
  @Order(4)
  void nodeAKilledInTheCommitStep_nodeBFinishesTheRunWithinSeconds_commitLandsOnce()
      throws Exception {
    model.agentDelay = Duration.ofSeconds(1);
    model.commitCalls.set(0);
    JsonNode accepted =
        a.trigger(
            "{\"task\":\"Implement release notes for Heliograph\",\"pattern\":\"development\","
                + "\"authorize\":[\"write\"],\"repository\":\"demo\"}");
    String id = accepted.path("task_id").asText();
    // The commit is pushed, but the commit step has not finished: node B runs it again.
    a.awaitReport(id, rep -> running(rep, "commit") && GitRemotes.branches(remote).size() == 2);
    a.kill();
    Instant killed = Instant.now();

    JsonNode done = b.awaitReport(id, rep -> rep.path("results").isObject());

    ServeCrashTest.assertCommittedOnce(done, id, remote, model);
    List<JsonNode> events = b.events(id);
    assertThat(seqs(events)).isEqualTo(range(events.size()));
    Instant resumedAt =
        events.stream()
            .filter(e -> e.path("type").asText().equals("run_resumed"))
            .map(e -> Instant.parse(e.path("at").asText()))
            .findFirst()
            .orElseThrow();
    long takeoverMs = Duration.between(killed, resumedAt).toMillis();
    System.out.println(
        "[multi-node] node A killed; node B resumed its run after "
            + takeoverMs
            + " ms (lease "
            + LEASE_MS
            + " ms)");
    assertThat(takeoverMs).isBetween(0L, LEASE_MS + 3_000);
  }

  @Test
  @Order(5)
  void agentRunOnNodeA_aKilledAfterTheCommit_nodeBFinishesTheRun_commitOnce() throws Exception {
    a.start();
    model.commitCalls.set(0);
    model.afterCommitDelay = Duration.ofSeconds(8);
    String id =
        a.startAgentRun(
            "commit",
            "{\"input\":\"Write Heliograph's release notes in demo\",\"authorize\":[\"write\"]}");
    a.awaitAgentRun(id, r -> ServerNode.toolDone(r, "commit"));
    Thread.sleep(300); // the tool's result is stored right after it shows
    a.kill();
    Instant killed = Instant.now();
    model.afterCommitDelay = Duration.ofMillis(100);

    JsonNode done = b.awaitAgentRun(id, ServeCrashTest::ended);
    long takeoverMs = Duration.between(killed, Instant.now()).toMillis();

    assertThat(ServeCrashTest.status(done)).as(done.toString()).isEqualTo("succeeded");
    assertThat(model.commitCalls.get()).isEqualTo(1);
    assertThat(done.path("transcript").findValuesAsText("kind"))
        .filteredOn("tool_call"::equals)
        .hasSize(1);
    assertThat(done.path("transcript").findValuesAsText("text"))
        .anyMatch(t -> t.startsWith("taken over by node-b/"));
    // B's stream is the whole run's: A's events from the store, then B's, numbered on.
    List<JsonNode> onB = b.runEvents(id);
    assertThat(onB.stream().map(e -> e.path("id").asLong()).toList()).isEqualTo(range(onB.size()));
    assertThat(onB.stream().map(e -> e.path("event").asText()))
        .startsWith("run_started")
        .contains("tool_finished", "run_resumed")
        .endsWith("run_finished");
    System.out.println(
        "[multi-node] node A killed; node B finished its agent run after "
            + takeoverMs
            + " ms (lease "
            + LEASE_MS
            + " ms)");
    assertThat(takeoverMs).isBetween(0L, LEASE_MS + 5_000);
  }

  private static List<Long> seqs(List<JsonNode> events) {
    return events.stream().map(e -> e.path("seq").asLong()).toList();
  }

  private static List<Long> range(int n) {
    List<Long> out = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      out.add(i);
    }
    return out;
  }
}
