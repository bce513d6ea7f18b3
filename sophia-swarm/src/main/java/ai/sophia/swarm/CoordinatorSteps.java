package ai.sophia.swarm;

import ai.sophia.agent.AgentRuntime;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The coordinator's steps. Each returns the fields it adds to the run's state, and a line or two
 * for the run's {@code coordination_log} (appended, never replaced), so the log survives a crash
 * with the step that wrote it.
 */
final class CoordinatorSteps {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FINDINGS_CHARS = 6000;
  static final String LOG = "coordination_log";

  private final AgentRuntime agents;
  private final TaskAnalysis analysis;
  private final double threshold;

  CoordinatorSteps(AgentRuntime agents, TaskAnalysis analysis, double threshold) {
    this.agents = agents;
    this.analysis = analysis;
    this.threshold = threshold;
  }

  static SwarmRequest request(JsonNode state) {
    return SwarmRequest.fromJson(state.path("request"));
  }

  /** task_analysis: the plan, shown as a {@code plan} event before anything runs. */
  JsonNode taskAnalysis(StepContext ctx) {
    SwarmRequest request = request(ctx.state());
    ObjectNode plan = analysis.plan(request, ctx.requestedBy());
    JsonNode usage = plan.path("usage");
    ctx.usage(
        usage.path("input_tokens").asLong(),
        usage.path("output_tokens").asLong(),
        usage.path("cost_usd").asDouble());
    ctx.event("plan", plan);
    ObjectNode out = JSON.createObjectNode();
    out.set("plan", plan);
    return log(
        out,
        ctx,
        "planned "
            + plan.path("subtasks").size()
            + " sub-task(s) for a "
            + plan.path("pattern").asText()
            + " swarm ("
            + plan.path("note").asText()
            + ")");
  }

  /** agent_assignment: each sub-task to its agent, with the input the agent will get. */
  JsonNode assignment(StepContext ctx) {
    SwarmRequest request = request(ctx.state());
    ArrayNode assignments = JSON.createArrayNode();
    StringBuilder line = new StringBuilder("assigned");
    for (JsonNode t : ctx.state().path("plan").path("subtasks")) {
      String agent = t.path("agent").asText();
      String note =
          agents
              .agents()
              .find(agent)
              .map(a -> a.missingTools().isEmpty() ? "" : "missing tools " + a.missingTools())
              .orElse("no such agent");
      ObjectNode a =
          assignments
              .addObject()
              .put("id", t.path("id").asText())
              .put("task", t.path("task").asText())
              .put("agent", agent)
              .put("input", input(t.path("task").asText(), request.objective()))
              .put("note", note);
      ctx.event("agent_assigned", a.deepCopy().without("input"));
      line.append(' ').append(a.path("id").asText()).append("→").append(agent);
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("assignments", assignments);
    return log(out, ctx, line.toString());
  }

  /** A parallel_execution branch: one agent on one sub-task. */
  JsonNode branch(StepContext ctx) throws AgentStep.AgentFailed {
    JsonNode a = ctx.item();
    return AgentStep.run(
        agents,
        ctx,
        a.path("agent").asText(),
        a.path("id").asText(),
        a.path("input").asText(),
        Set.of());
  }

  /** validation (development): the pipeline goes on only when every sub-task succeeded. */
  JsonNode validation(StepContext ctx) {
    List<ObjectNode> results = AgentResults.subtasks(ctx.state());
    long failed = results.stream().filter(r -> !AgentResults.succeeded(r)).count();
    boolean passed = !results.isEmpty() && failed == 0;
    String reason =
        passed
            ? "every sub-task succeeded"
            : failed + " of " + results.size() + " sub-task(s) did not succeed";
    ObjectNode out = JSON.createObjectNode();
    out.putObject("validation").put("passed", passed).put("reason", reason);
    return log(out, ctx, "validation " + (passed ? "passed" : "failed") + ": " + reason);
  }

  /**
   * commit or deployment (development): runs the stage's agent when validation passed, the stage
   * before it succeeded, and the request authorized its risk or a person approved the step ({@code
   * approved}); otherwise records it skipped, with the reason.
   */
  JsonNode stage(StepContext ctx, String stage, boolean approved) throws AgentStep.AgentFailed {
    JsonNode state = ctx.state();
    SwarmRequest request = request(state);
    Risk risk = stage.equals("commit") ? Risk.write : Risk.deploy;
    String skip = "";
    if (!state.path("validation").path("passed").asBoolean(false)) {
      skip = "validation failed: " + state.path("validation").path("reason").asText();
    } else if (stage.equals("deployment") && !AgentResults.succeeded(state.path("commit"))) {
      skip = "nothing was committed to deploy";
    } else if (!approved && !request.authorize().contains(risk)) {
      skip =
          "the request did not authorize "
              + risk
              + " (authorize: [\""
              + risk
              + "\"], or ask_approval: true to ask a person)";
    }
    ObjectNode out = JSON.createObjectNode();
    if (!skip.isEmpty()) {
      out.putObject(stage).put("agent", stage).put("status", "skipped").put("reason", skip);
      return log(out, ctx, stage + " skipped: " + skip);
    }
    String input =
        fit(stage.equals("commit") ? commitInput(request, state) : deployInput(request, state));
    ObjectNode result = AgentStep.run(agents, ctx, stage, stage, input, Set.of(risk));
    out.set(stage, result);
    return log(out, ctx, stage + " " + result.path("status").asText());
  }

  /** monitor_round (monitoring): the next agent in turn, after the interval has passed. */
  JsonNode round(StepContext ctx) throws InterruptedException {
    JsonNode state = ctx.state();
    SwarmRequest request = request(state);
    JsonNode assignments = state.path("assignments");
    int done = state.path("rounds").size();
    JsonNode a = assignments.get(done % assignments.size());
    if (done > 0) {
      // Wait from the previous round's end, so a resumed run does not wait twice.
      Instant due =
          Instant.parse(state.path("rounds").get(done - 1).path("finished_at").asText())
              .plusMillis(request.intervalMs());
      while (Instant.now().isBefore(due) && !ctx.cancelled()) {
        Thread.sleep(Math.min(200, Duration.between(Instant.now(), due).toMillis() + 1));
      }
    }
    ObjectNode result;
    try {
      result =
          AgentStep.run(
              agents,
              ctx,
              a.path("agent").asText(),
              a.path("id").asText(),
              a.path("input").asText(),
              Set.of());
    } catch (AgentStep.AgentFailed e) {
      // A failed round is reported, and the watch goes on with the next agent.
      result =
          JSON.createObjectNode()
              .put("agent", a.path("agent").asText())
              .put("subtask", a.path("id").asText())
              .put("status", "failed")
              .put("answer", "")
              .put("error", e.getMessage())
              .put("finished_at", Instant.now().toString());
    }
    result.put("round", done + 1);
    ObjectNode out = JSON.createObjectNode();
    out.putArray("rounds").add(result);
    return log(
        out,
        ctx,
        "round " + (done + 1) + ": " + a.path("agent").asText() + " " + result.path("status"));
  }

  /** result_aggregation: the successful answers under their sub-tasks; failures named. */
  JsonNode aggregation(StepContext ctx) {
    JsonNode state = ctx.state();
    List<ObjectNode> results = AgentResults.subtasks(state);
    StringBuilder text = new StringBuilder();
    int ok = 0;
    for (ObjectNode r : results) {
      String head =
          r.path("subtask").asText()
              + (r.has("round") ? " round " + r.path("round").asInt() : "")
              + " ("
              + r.path("agent").asText()
              + ")";
      if (AgentResults.succeeded(r)) {
        ok++;
        text.append("## ").append(head).append('\n').append(r.path("answer").asText().strip());
      } else {
        text.append("## ").append(head).append(" — did not succeed\n");
        text.append(r.path("error").asText(r.path("note").asText()));
      }
      text.append("\n\n");
    }
    for (String stage : AgentResults.PIPELINE) {
      JsonNode s = state.path(stage);
      if (s.isObject()) {
        text.append("## ").append(stage).append(" — ").append(s.path("status").asText());
        text.append('\n').append(s.path("answer").asText(s.path("reason").asText())).append("\n\n");
      }
    }
    String outcome = ok == results.size() ? "complete" : ok == 0 ? "failed" : "partial";
    ObjectNode out = JSON.createObjectNode();
    out.putObject("aggregation")
        .put("outcome", outcome)
        .put("succeeded", ok)
        .put("failed", results.size() - ok)
        .put("method", "the successful answers gathered under their sub-tasks, failures named")
        .put("text", text.toString().strip());
    return log(
        out,
        ctx,
        "aggregated " + ok + " of " + results.size() + " result(s): " + outcome + " success");
  }

  /** quality_check: the quality report, computed from the run's state. */
  JsonNode quality(StepContext ctx) {
    ObjectNode report = QualityCheck.assess(ctx.state(), threshold);
    ObjectNode out = JSON.createObjectNode();
    out.set("quality", report);
    return log(
        out,
        ctx,
        "quality "
            + report.path("overall_score").asDouble()
            + (report.path("meets_threshold").asBoolean() ? " meets" : " does not meet")
            + " the threshold "
            + threshold);
  }

  private static String fit(String input) {
    int max = ai.sophia.agent.AgentRequest.MAX_INPUT_CHARS;
    return input.length() <= max ? input : input.substring(0, max);
  }

  private static String input(String task, String objective) {
    return objective.isEmpty() ? task : task + "\n\nObjective of the whole task: " + objective;
  }

  private static String commitInput(SwarmRequest request, JsonNode state) {
    return "Commit the outcome of this task"
        + (request.repository().isEmpty() ? "" : " to repository " + request.repository())
        + ": "
        + request.task()
        + "\n\nWhat the research and analysis found:\n"
        + findings(state);
  }

  private static String deployInput(SwarmRequest request, JsonNode state) {
    return "Deploy the change just committed for this task: "
        + request.task()
        + "\n\nThe commit: "
        + state.path("commit").path("answer").asText();
  }

  private static String findings(JsonNode state) {
    StringBuilder b = new StringBuilder();
    for (ObjectNode r : AgentResults.subtasks(state)) {
      b.append("- ").append(r.path("answer").asText().strip()).append('\n');
    }
    return b.length() <= MAX_FINDINGS_CHARS ? b.toString() : b.substring(0, MAX_FINDINGS_CHARS);
  }

  private static ObjectNode log(ObjectNode out, StepContext ctx, String message) {
    ctx.log(message);
    out.putArray(LOG)
        .addObject()
        .put("at", Instant.now().toString())
        .put("step", ctx.stepKey())
        .put("message", message);
    return out;
  }
}
