package ai.sophia.swarm;

import static ai.sophia.swarm.SwarmCoordinatorTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.SophiaConfig;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The development pipeline (authorization, approvals granted and denied), cancellation, step
 * timeouts, and a restart in the middle of a run.
 */
class DevelopmentSwarmTest {
  static final String PLAN =
      "{\"subtasks\":[{\"task\":\"Find what to change\",\"agent\":\"research\"}]}";

  @TempDir Path dir;
  CoordinatorFixture fx;

  @BeforeEach
  void open() {
    fx = new CoordinatorFixture(dir);
    fx.model.plan = PLAN;
  }

  @AfterEach
  void close() {
    fx.close();
  }

  static SwarmRequest development() {
    return SwarmRequest.of("Implement the release notes page")
        .withPattern(SwarmPattern.development)
        .withRepository("demo");
  }

  @Test
  void trigger_writeAuthorized_commitsOnceWithTheStepsKeyAndSkipsTheUnauthorizedDeployment() {
    SwarmRun run = fx.run(development().withAuthorize(Set.of(Risk.write)));
    ObjectNode r = fx.report(run);

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(fx.commits.invocations()).isEqualTo(1);
    assertThat(fx.commits.idempotencyKeys()).containsExactly(run.id() + "/commit/commit#1");
    assertThat(fx.deploys.invocations()).isZero();
    assertThat(texts(r.path("execution_timeline"), "step"))
        .containsSubsequence("validation", "commit", "deployment", "result_aggregation");
    JsonNode per = r.path("results").path("per_agent");
    assertThat(texts(per, "agent")).containsExactly("research", "commit", "deployment");
    assertThat(texts(per, "status")).containsExactly("succeeded", "succeeded", "skipped");
    assertThat(per.get(2).path("reason").asText()).contains("did not authorize deploy");
    assertThat(r.path("results").path("quality_report").path("completeness_score").asDouble())
        .isEqualTo(1.0);
  }

  @Test
  void trigger_nothingAuthorized_skipsCommitAndDeploymentWithTheReason() {
    ObjectNode r = fx.report(fx.run(development().withRepository("")));

    assertThat(fx.commits.invocations()).isZero();
    JsonNode per = r.path("results").path("per_agent");
    assertThat(texts(per, "status")).containsExactly("succeeded", "skipped", "skipped");
    assertThat(per.get(1).path("reason").asText()).contains("did not authorize write");
    assertThat(per.get(2).path("reason").asText()).contains("nothing was committed");
  }

  @Test
  void decide_approvalGranted_commitRunsAfterThePersonSaidYes() {
    SwarmRun waiting = awaitStatus(fx.swarms.trigger(development().askingApproval(true), "k").id());
    assertThat(waiting.status()).isEqualTo(SwarmStatus.waiting_approval);
    assertThat(fx.commits.invocations()).isZero();

    fx.engine.decide(waiting.id(), "approve_commit", true, "key_dev", "looks right");
    SwarmRun next = awaitStatus(waiting.id());
    // The deployment is gated too: deny it.
    fx.engine.decide(next.id(), "approve_deployment", false, "key_dev", "not today");
    SwarmRun run = fx.engine.await(waiting.id(), Duration.ofSeconds(30));
    ObjectNode r = fx.report(run);

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(fx.commits.invocations()).isEqualTo(1);
    assertThat(fx.deploys.invocations()).isZero();
    JsonNode per = r.path("results").path("per_agent");
    assertThat(texts(per, "agent")).containsExactly("research", "commit", "deployment");
    assertThat(texts(per, "status")).containsExactly("succeeded", "succeeded", "skipped");
    assertThat(per.get(2).path("reason").asText()).contains("not today");
  }

  @Test
  void decide_approvalDenied_commitNeverRunsAndTheReportSaysWhy() {
    SwarmRun waiting = awaitStatus(fx.swarms.trigger(development().askingApproval(true), "k").id());

    fx.engine.decide(waiting.id(), "approve_commit", false, "key_dev", "wrong repository");
    SwarmRun run = fx.engine.await(waiting.id(), Duration.ofSeconds(30));
    ObjectNode r = fx.report(run);

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(fx.commits.invocations()).isZero();
    JsonNode per = r.path("results").path("per_agent");
    assertThat(texts(per, "status")).containsExactly("succeeded", "skipped", "skipped");
    assertThat(per.toString()).contains("wrong repository");
  }

  @Test
  void cancel_whileAnAgentWorks_runEndsCancelledAndTheAgentRunStops() {
    SwarmRun started =
        fx.swarms.trigger(SwarmRequest.of("What is Heliograph?").withAgents(List.of("slow")), "");
    awaitEvent(started.id(), "agent_started");

    fx.engine.cancel(started.id(), "key_1");
    SwarmRun run = fx.engine.await(started.id(), Duration.ofSeconds(30));

    assertThat(run.status()).isEqualTo(SwarmStatus.cancelled);
    assertThat(fx.agents.activeRuns()).isEmpty();
  }

  @Test
  void trigger_agentSlowerThanTheStepTimeout_branchFailsAndTheRunReportsIt() throws Exception {
    fx.close();
    fx =
        new CoordinatorFixture(
            Files.createDirectories(dir.resolve("timeout")),
            new SophiaConfig.Swarm(1_500, 1, 120_000, 30, 0.8));

    SwarmRun run =
        fx.run(SwarmRequest.of("What is Heliograph?").withAgents(List.of("analysis", "slow")));
    ObjectNode r = fx.report(run);

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(r.path("swarm_health").path("outcome").asText()).isEqualTo("partial");
    JsonNode per = r.path("results").path("per_agent");
    assertThat(texts(per, "status")).containsExactly("succeeded", "failed");
    assertThat(per.get(1).path("error").asText()).containsIgnoringCase("time");
  }

  @Test
  void resumeUnfinished_restartMidRun_finishesAndTheSideEffectHappensOnce() {
    fx.model.slowness = Duration.ofSeconds(2);
    SwarmRun started =
        fx.swarms.trigger(
            development().withAgents(List.of("slow")).withAuthorize(Set.of(Risk.write)), "");
    awaitEvent(started.id(), "agent_started");

    fx.restart();
    int resumed = fx.engine.resumeUnfinished();
    SwarmRun run = fx.engine.await(started.id(), Duration.ofSeconds(30));

    assertThat(resumed).isEqualTo(1);
    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(fx.commits.invocations()).isEqualTo(1);
  }

  private SwarmRun awaitStatus(String id) {
    Instant until = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(until)) {
      SwarmRun run = fx.engine.await(id, Duration.ofMillis(100));
      if (run.status() == SwarmStatus.waiting_approval || run.status().finished()) {
        return run;
      }
    }
    throw new AssertionError("run " + id + " neither waits nor finished");
  }

  private void awaitEvent(String id, String type) {
    java.util.concurrent.CountDownLatch seen = new java.util.concurrent.CountDownLatch(1);
    try (AutoCloseable s =
        fx.engine.subscribe(
            id,
            0,
            e -> {
              if (e.type().equals(type)) {
                seen.countDown();
              }
            })) {
      assertThat(seen.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
