package ai.sophia.cli;

import static ai.sophia.cli.ServerNode.running;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.code.GitRemotes;
import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.security.Role;
import ai.sophia.server.Sophia;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code sophia serve} process killed with SIGKILL in the middle of swarms, then started
 * again on the same data directory: the runs finish, and the development swarm's side effect — a
 * real commit pushed to a real git repository — happens exactly once.
 */
class ServeCrashTest {
  @TempDir Path tmp;
  SwarmModel model;
  Path remote;
  ServerNode node;

  @BeforeEach
  void setUp() throws IOException {
    model = new SwarmModel();
    remote = GitRemotes.bare(tmp.resolve("demo.git"));
    Path config = ServerNode.config(tmp.resolve("sophia.yaml"), tmp.resolve("data"), model, remote);
    SophiaConfig loaded = ConfigLoader.create(Map.of()).load(Optional.of(config));
    String key =
        Sophia.withApiKeys(
            loaded, Map.of(), keys -> keys.create("crash-test", Role.admin).secret());
    node = new ServerNode(tmp, "server", config, Map.of(), key);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    node.kill();
    model.close();
  }

  @Test
  void serverKilledDuringParallelBranchesAndAfterThePush_runCompletesAndCommitsOnce()
      throws Exception {
    node.start();
    JsonNode accepted =
        node.trigger(
            "{\"task\":\"Implement release notes for Heliograph\",\"pattern\":\"development\","
                + "\"authorize\":[\"write\"],\"repository\":\"demo\"}");
    String id = accepted.path("task_id").asText();

    // Crash 1: both research branches are running, nothing of theirs is checkpointed.
    node.awaitReport(
        id, r -> running(r, "parallel_execution[0]") && running(r, "parallel_execution[1]"));
    node.kill();
    node.start();
    // Crash 2: the commit is pushed, but the commit step has not finished (the agent still writes
    // its answer), so the step runs again after the restart — with other arguments from the model.
    node.awaitReport(id, r -> running(r, "commit") && GitRemotes.branches(remote).size() == 2);
    node.kill();
    node.start();
    JsonNode done = node.awaitReport(id, r -> r.path("results").isObject());

    assertCommittedOnce(done, id, remote, model);
    List<JsonNode> events = node.events(id);
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).path("seq").asLong()).isEqualTo(i + 1);
    }
    assertThat(events.getLast().path("type").asText()).isEqualTo("run_finished");
    assertThat(events.stream().map(e -> e.path("type").asText())).contains("plan", "agent_tool");
  }

  /**
   * The development swarm succeeded and its side effect landed once: one branch besides main, one
   * commit on it carrying the step's idempotency key, the content of the first attempt.
   */
  static void assertCommittedOnce(JsonNode done, String id, Path remote, SwarmModel model)
      throws Exception {
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
    List<String> branches = GitRemotes.branches(remote);
    assertThat(branches).hasSize(2);
    String branch = branches.stream().filter(b -> !b.equals("main")).findFirst().orElseThrow();
    RevCommit tip = GitRemotes.tip(remote, branch);
    assertThat(tip.getParent(0)).isEqualTo(GitRemotes.tip(remote, "main"));
    assertThat(tip.getFullMessage()).contains("Sophia-Idempotency-Key: " + id + "/commit/commit#1");
    assertThat(model.commitCalls.get()).isEqualTo(2);
    assertThat(GitRemotes.read(remote, branch, "docs/release-notes.md"))
        .contains("Written on attempt 1.");
    JsonNode per = done.path("results").path("per_agent");
    assertThat(per.findValuesAsText("agent"))
        .containsExactly("research", "analysis", "commit", "deployment");
    assertThat(per.findValuesAsText("status"))
        .containsExactly("succeeded", "succeeded", "succeeded", "skipped");
  }

  @Test
  void serverKilledWhileTheCommitAgentAnswers_agentRunFinishesAfterRestart_commitOnce()
      throws Exception {
    node.start();
    String id =
        node.startAgentRun(
            "commit",
            "{\"input\":\"Write Heliograph's release notes in demo\",\"authorize\":[\"write\"]}");
    // The commit is pushed and its result stored; the model writes the answer (6 s).
    node.awaitAgentRun(
        id, r -> ServerNode.toolDone(r, "commit") && GitRemotes.branches(remote).size() == 2);
    Thread.sleep(300); // the tool's result is stored right after it shows
    node.kill();
    model.afterCommitDelay = Duration.ofMillis(100);

    node.start();
    JsonNode done = node.awaitAgentRun(id, ServeCrashTest::ended);

    assertThat(status(done)).as(done.toString()).isEqualTo("succeeded");
    JsonNode answer = done.has("result") ? done.path("result").path("answer") : done.path("output");
    assertThat(answer.asText()).as(done.toString()).isEqualTo("Committed the release notes.");
    assertThat(model.commitCalls.get()).as("the model was not asked to commit again").isEqualTo(1);
    List<String> branches = GitRemotes.branches(remote);
    assertThat(branches).hasSize(2);
    String branch = branches.stream().filter(b -> !b.equals("main")).findFirst().orElseThrow();
    assertThat(GitRemotes.tip(remote, branch).getFullMessage())
        .contains("Sophia-Idempotency-Key: " + id + "/call_1");
    assertThat(done.path("transcript").findValuesAsText("text"))
        .anyMatch(t -> t.startsWith("taken over by"));
  }

  /** A run's status, from its live view or its stored row. */
  static String status(JsonNode run) {
    return run.path("status").asText();
  }

  /** True once the run has ended and its result shows (live view) or is stored. */
  static boolean ended(JsonNode run) {
    boolean finished = !List.of("running", "waiting_approval").contains(status(run));
    return finished && (!run.has("result") || run.path("result").isObject());
  }

  @Test
  void serverKilledRightAfterTrigger_runResumesAfterRestartAndFinishes() throws Exception {
    model.planDelay = Duration.ofSeconds(3);
    model.agentDelay = Duration.ofMillis(100);
    node.start();
    String id =
        node.trigger("{\"task\":\"What is Heliograph?\",\"agents\":[\"research\"]}")
            .path("task_id")
            .asText();
    node.kill();
    model.planDelay = Duration.ZERO;

    node.start();
    JsonNode done = node.awaitReport(id, r -> r.path("results").isObject());

    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
    assertThat(done.path("execution_timeline").findValuesAsText("step"))
        .startsWith("task_analysis", "agent_assignment");
    JsonNode list = node.get("/api/v1/swarm?status=succeeded");
    assertThat(list.path("swarms").findValuesAsText("task_id")).contains(id);
  }
}
