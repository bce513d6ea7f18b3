package ai.sophia.swarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.InvalidInputException;
import ai.sophia.model.LogCapture;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's workflow and report, on real agents and a real durable engine. */
class SwarmCoordinatorTest {
  @TempDir Path dir;
  CoordinatorFixture fx;

  @BeforeEach
  void open() {
    fx = new CoordinatorFixture(dir);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  void trigger_researchSwarmWithModelPlan_runsEverySubTaskAndReportsFromTheRun() throws Exception {
    fx.model.plan =
        "{\"subtasks\":[{\"task\":\"What is Heliograph?\",\"agent\":\"research\"},"
            + "{\"task\":\"Compare its transports\",\"agent\":\"analysis\"},"
            + "{\"task\":\"Ignored\",\"agent\":\"no-such-agent\"}]}";

    SwarmRun run = fx.run(SwarmRequest.of("Research Heliograph and compare its transports"));
    ObjectNode r = fx.report(run);

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(r.path("pattern").asText()).isEqualTo("research");
    assertThat(r.path("mode").asText()).isEqualTo("model");
    assertThat(texts(r.path("plan").path("subtasks"), "agent"))
        .containsExactly("research", "analysis");
    assertThat(texts(r.path("agent_ids"), null)).containsExactly("research", "analysis");
    assertThat(r.path("agent_run_ids")).hasSize(2);
    List<String> steps = texts(r.path("execution_timeline"), "step");
    assertThat(steps).hasSize(7);
    assertThat(steps.subList(0, 3))
        .containsExactly("task_analysis", "agent_assignment", "parallel_execution");
    // The two branches run in parallel: either may be listed first.
    assertThat(steps.subList(3, 5))
        .containsExactlyInAnyOrder("parallel_execution[0]", "parallel_execution[1]");
    assertThat(steps.subList(5, 7)).containsExactly("result_aggregation", "quality_check");
    for (JsonNode step : r.path("execution_timeline")) {
      assertThat(step.path("started_at").asText()).isNotBlank();
      assertThat(step.path("finished_at").asText()).isNotBlank();
      assertThat(step.path("duration_ms").asLong()).isGreaterThanOrEqualTo(0);
    }
    JsonNode per = r.path("results").path("per_agent");
    assertThat(texts(per, "status")).containsExactly("succeeded", "succeeded");
    assertThat(per.get(0).path("answer").asText()).contains("[1]");
    JsonNode quality = r.path("results").path("quality_report");
    assertThat(quality.path("completeness_score").asDouble()).isEqualTo(1.0);
    assertThat(quality.path("quality_score").asDouble()).isEqualTo(1.0);
    assertThat(quality.path("meets_threshold").asBoolean()).isTrue();
    assertThat(r.path("swarm_health").path("outcome").asText()).isEqualTo("complete");
    assertThat(texts(r.path("coordination_logs"), "step"))
        .containsExactly(
            "task_analysis", "agent_assignment", "result_aggregation", "quality_check");
    assertThat(r.path("coordination_logs").get(0).path("message").asText())
        .startsWith("planned 2 sub-task(s) for a research swarm");
    JsonNode perf = r.path("swarm_performance");
    assertThat(perf.path("agent_time_ms").asLong())
        .isLessThanOrEqualTo(perf.path("duration_ms").asLong());
    assertThat(perf.path("coordination_overhead_ms").asLong())
        .isEqualTo(perf.path("duration_ms").asLong() - perf.path("agent_time_ms").asLong());
    List<String> types =
        SwarmFixture.events(fx.engine, run.id()).stream().map(SwarmEvent::type).toList();
    assertThat(types.indexOf("plan")).isLessThan(types.indexOf("agent_started"));
    assertThat(types).contains("agent_assigned", "agent_finished").endsWith("run_finished");
  }

  @Test
  void trigger_oneAgentFails_runSucceedsAndReportsPartialSuccessHonestly() {
    SwarmRun run;
    try (LogCapture logs = LogCapture.start()) {
      run =
          fx.run(
              SwarmRequest.of("What is Heliograph?")
                  .withAgents(List.of("research", "broken", "analysis")));
      assertThat(logs.warnings()).singleElement().asString().contains("agent broken failed");
    }
    ObjectNode r = fx.report(run);

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(r.path("swarm_health").path("outcome").asText()).isEqualTo("partial");
    assertThat(r.path("swarm_health").path("status").asText()).isEqualTo("degraded");
    assertThat(r.path("swarm_health").path("agents_failed").asInt()).isEqualTo(1);
    JsonNode per = r.path("results").path("per_agent");
    assertThat(texts(per, "agent")).containsExactly("research", "broken", "analysis");
    assertThat(texts(per, "status")).containsExactly("succeeded", "failed", "succeeded");
    assertThat(per.get(1).path("error").asText()).contains("broken", "exploded");
    assertThat(r.path("results").path("aggregated").path("outcome").asText()).isEqualTo("partial");
    JsonNode quality = r.path("results").path("quality_report");
    assertThat(quality.path("completeness_score").asDouble()).isEqualTo(0.667);
    assertThat(quality.path("meets_threshold").asBoolean()).isFalse();
    assertThat(quality.path("recommendations").toString()).contains("agent broken did not succeed");
  }

  @Test
  void trigger_noModel_plansByRulesAndSaysSo() {
    fx.model.available = false;

    SwarmRun run =
        fx.run(
            SwarmRequest.of("Summarize what we know about Heliograph. Then list its releases.")
                .withAgents(List.of("analysis")));
    ObjectNode r = fx.report(run);

    assertThat(r.path("mode").asText()).isEqualTo("offline");
    assertThat(r.path("plan").path("note").asText()).contains("no model is available");
    assertThat(texts(r.path("plan").path("subtasks"), "task"))
        .containsExactly("Summarize what we know about Heliograph.", "list its releases.");
    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
  }

  @Test
  void trigger_modelPlanFails_fallsBackToRulesAndSaysWhy() {
    fx.model.plan = "";

    ObjectNode r = fx.report(fx.run(SwarmRequest.of("What is Heliograph?")));

    assertThat(r.path("mode").asText()).isEqualTo("offline");
    assertThat(r.path("plan").path("note").asText()).contains("could not plan", "planned by rules");
    assertThat(texts(r.path("plan").path("subtasks"), "agent"))
        .containsExactly("research", "analysis");
  }

  @Test
  void trigger_flakyAgent_retriedAndSucceedsOnTheSecondAttempt() throws Exception {
    fx.close();
    fx =
        new CoordinatorFixture(
            java.nio.file.Files.createDirectories(dir.resolve("retry")),
            new ai.sophia.config.SophiaConfig.Swarm(20_000, 2, 120_000, 30, 0.8));

    SwarmRun run;
    try (LogCapture logs = LogCapture.start()) {
      run = fx.run(SwarmRequest.of("What is Heliograph?").withAgents(List.of("flaky")));
      assertThat(logs.warnings()).singleElement().asString().contains("a hiccup on the first call");
    }
    ObjectNode r = fx.report(run);

    assertThat(texts(r.path("results").path("per_agent"), "status")).containsExactly("succeeded");
    JsonNode branch = r.path("execution_timeline").get(3);
    assertThat(branch.path("step").asText()).isEqualTo("parallel_execution[0]");
    assertThat(branch.path("attempt").asInt()).isEqualTo(2);
    assertThat(SwarmFixture.events(fx.engine, run.id()).stream().map(SwarmEvent::type))
        .contains("step_retrying");
  }

  @Test
  void trigger_unknownAgentOrMissingRepository_refusedNamingTheField() {
    assertThatThrownBy(
            () -> fx.swarms.trigger(SwarmRequest.of("x y z").withAgents(List.of("nobody")), ""))
        .isInstanceOf(InvalidInputException.class)
        .hasFieldOrPropertyWithValue("field", "agents");
    assertThatThrownBy(
            () ->
                fx.swarms.trigger(
                    SwarmRequest.of("Implement it")
                        .withPattern(SwarmPattern.development)
                        .withAuthorize(java.util.Set.of(ai.sophia.tool.Risk.write)),
                    ""))
        .isInstanceOf(InvalidInputException.class)
        .hasFieldOrPropertyWithValue("field", "repository");
    assertThatThrownBy(() -> SwarmRequest.of("x y z").withRounds(0, 10))
        .hasFieldOrPropertyWithValue("field", "rounds");
    assertThatThrownBy(() -> SwarmRequest.of(" ")).hasFieldOrPropertyWithValue("field", "task");
    assertThatThrownBy(() -> SwarmRequest.of("x y z").withPriority("urgent"))
        .hasFieldOrPropertyWithValue("field", "priority");
  }

  @Test
  void trigger_monitoringSwarm_asksItsAgentsInTurnForTheRoundsAsked() {
    SwarmRun run =
        fx.run(
            SwarmRequest.of("Monitor Heliograph releases")
                .withAgents(List.of("research", "analysis"))
                .withRounds(3, 50));
    ObjectNode r = fx.report(run);

    assertThat(r.path("pattern").asText()).isEqualTo("monitoring");
    assertThat(texts(r.path("results").path("per_agent"), "agent"))
        .containsExactly("research", "analysis", "research");
    assertThat(texts(r.path("execution_timeline"), "step"))
        .contains("monitor_round", "monitor_round#2", "monitor_round#3");
    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
  }

  static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(field == null ? n.asText() : n.path(field).asText());
    }
    return out;
  }
}
