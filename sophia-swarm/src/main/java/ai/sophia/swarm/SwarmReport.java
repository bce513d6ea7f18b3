package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The SPEC §2 response for a run, from the run alone: {@code task_id}, {@code status}, {@code
 * outcome} (complete, partial or failed — a partial success is said so), {@code agent_ids}, {@code
 * plan}, {@code coordination_logs}, {@code execution_timeline} (every step's start, end and
 * duration), {@code swarm_health}, {@code timestamp}; once finished, {@code results} (per agent,
 * aggregated, quality report) and {@code swarm_performance} (durations, time inside agents and the
 * coordination overhead — the rest —, tokens and cost). {@code trace_id} names the trace of the
 * request that started it, when that was traced.
 */
public final class SwarmReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SwarmReport() {}

  public static ObjectNode of(SwarmRun run, double threshold) {
    JsonNode state = run.state();
    ObjectNode r = JSON.createObjectNode();
    r.put("task_id", run.id());
    r.put("status", run.status().name());
    r.put("pattern", state.path("request").path("pattern").asText());
    r.put("task", state.path("request").path("task").asText());
    r.put("mode", state.path("plan").path("mode").asText(""));
    String trace = state.path(SwarmCoordinator.TRACE_ID).asText("");
    if (!trace.isEmpty()) {
      r.put("trace_id", trace);
    }
    List<ObjectNode> results = AgentResults.subtasks(state);
    List<ObjectNode> pipeline = AgentResults.pipeline(state);
    ArrayNode ids = r.putArray("agent_ids");
    List<String> seen = new ArrayList<>();
    for (JsonNode a : state.path("assignments")) {
      String name = a.path("agent").asText();
      if (!seen.contains(name)) {
        seen.add(name);
        ids.add(name);
      }
    }
    pipeline.stream()
        .map(p -> p.path("agent").asText())
        .filter(n -> !seen.contains(n))
        .forEach(ids::add);
    ArrayNode runIds = r.putArray("agent_run_ids");
    for (ObjectNode a : concat(results, pipeline)) {
      if (a.hasNonNull("run_id")) {
        runIds.add(a.path("run_id").asText());
      }
    }
    r.set("plan", state.path("plan").isObject() ? state.path("plan") : JSON.nullNode());
    ArrayNode logs = r.putArray("coordination_logs");
    state.path(CoordinatorSteps.LOG).forEach(logs::add);
    r.set("execution_timeline", timeline(run));
    r.set("swarm_health", health(run, results, pipeline));
    if (!run.error().isEmpty()) {
      r.put("error", run.error());
    }
    r.put("created_at", run.createdAt().toString());
    run.finishedAt().ifPresent(f -> r.put("finished_at", f.toString()));
    r.put("timestamp", Instant.now().toString());
    if (run.status().finished()) {
      ObjectNode out = r.putObject("results");
      ArrayNode per = out.putArray("per_agent");
      concat(results, pipeline).forEach(per::add);
      skippedStages(run, state).forEach(per::add);
      out.set(
          "aggregated",
          state.path("aggregation").isObject() ? state.path("aggregation") : JSON.nullNode());
      out.set(
          "quality_report",
          state.path("quality").isObject()
              ? state.path("quality")
              : QualityCheck.assess(state, threshold));
      r.set("swarm_performance", performance(run, concat(results, pipeline)));
    }
    return r;
  }

  private static ArrayNode timeline(SwarmRun run) {
    ArrayNode t = JSON.createArrayNode();
    for (StepRecord s : run.steps()) {
      ObjectNode e =
          t.addObject()
              .put("step", s.key())
              .put("name", s.name())
              .put("status", s.status())
              .put("attempt", s.attempt());
      e.put("started_at", s.startedAt().map(Instant::toString).orElse(null));
      e.put("finished_at", s.finishedAt().map(Instant::toString).orElse(null));
      e.put("duration_ms", s.durationMs());
      if (s.error() != null && !s.error().isEmpty()) {
        e.put("error", s.error());
      }
    }
    return t;
  }

  private static ObjectNode health(
      SwarmRun run, List<ObjectNode> results, List<ObjectNode> pipeline) {
    List<ObjectNode> all = concat(results, pipeline);
    long ok = all.stream().filter(AgentResults::succeeded).count();
    long failedSteps = run.steps().stream().filter(s -> s.status().equals("failed")).count();
    String outcome =
        all.isEmpty()
            ? (run.status().finished() ? "failed" : "pending")
            : ok == all.size() ? "complete" : ok == 0 ? "failed" : "partial";
    String status =
        run.status() == SwarmStatus.failed || outcome.equals("failed")
            ? "failed"
            : outcome.equals("partial") || failedSteps > 0 ? "degraded" : "healthy";
    ObjectNode h = JSON.createObjectNode();
    h.put("status", status)
        .put("outcome", outcome)
        .put("agents_succeeded", ok)
        .put("agents_failed", all.size() - ok)
        .put("steps", run.steps().size())
        .put("steps_failed", failedSteps);
    return h;
  }

  /** Approval-gated stages a person denied: reported as skipped, with who and why. */
  private static List<ObjectNode> skippedStages(SwarmRun run, JsonNode state) {
    List<ObjectNode> out = new ArrayList<>();
    for (StepRecord s : run.steps()) {
      if (s.status().equals("skipped") && s.name().startsWith("approve_")) {
        String stage = s.name().substring("approve_".length());
        if (!state.path(stage).isObject()) {
          out.add(
              JSON.createObjectNode()
                  .put("agent", stage)
                  .put("status", "skipped")
                  .put("reason", s.error() == null ? "denied" : s.error()));
        }
      }
    }
    for (String stage : AgentResults.PIPELINE) {
      JsonNode s = state.path(stage);
      if ("skipped".equals(s.path("status").asText())) {
        out.add(((ObjectNode) s).deepCopy());
      }
    }
    return out;
  }

  /**
   * Wall time from the first step's start to the last one's end; time inside agents is the union of
   * the agents' run intervals (parallel runs overlap); the coordination overhead is the rest.
   */
  private static ObjectNode performance(SwarmRun run, List<ObjectNode> results) {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (StepRecord s : run.steps()) {
      if (s.startedAt().isPresent()) {
        first = Math.min(first, s.startedAt().get().toEpochMilli());
      }
      if (s.finishedAt().isPresent()) {
        last = Math.max(last, s.finishedAt().get().toEpochMilli());
      }
    }
    long wall = first == Long.MAX_VALUE || last < first ? 0 : last - first;
    List<long[]> spans = new ArrayList<>();
    long tokensIn = 0;
    long tokensOut = 0;
    double cost = 0;
    long calls = 0;
    for (ObjectNode a : results) {
      if (a.hasNonNull("started_at") && a.hasNonNull("finished_at")) {
        spans.add(
            new long[] {
              Instant.parse(a.path("started_at").asText()).toEpochMilli(),
              Instant.parse(a.path("finished_at").asText()).toEpochMilli()
            });
      }
      tokensIn += a.path("input_tokens").asLong();
      tokensOut += a.path("output_tokens").asLong();
      cost += a.path("cost_usd").asDouble();
      calls += a.path("model_calls").asLong();
    }
    long inside = union(spans);
    ObjectNode p = JSON.createObjectNode();
    p.put("duration_ms", wall)
        .put("queued_ms", first == Long.MAX_VALUE ? 0 : first - run.createdAt().toEpochMilli())
        .put("agent_time_ms", inside)
        .put("coordination_overhead_ms", Math.max(0, wall - inside))
        .put("agent_runs", results.size())
        .put("model_calls", calls)
        .put("input_tokens", tokensIn)
        .put("output_tokens", tokensOut)
        .put("cost_usd", cost);
    JsonNode planUsage = run.state().path("plan").path("usage");
    p.put("planning_cost_usd", planUsage.path("cost_usd").asDouble());
    return p;
  }

  static long union(List<long[]> spans) {
    List<long[]> sorted = new ArrayList<>(spans);
    sorted.sort(Comparator.comparingLong(s -> s[0]));
    long total = 0;
    long start = Long.MIN_VALUE;
    long end = Long.MIN_VALUE;
    for (long[] s : sorted) {
      if (s[0] > end) {
        total += end - start;
        start = s[0];
        end = s[1];
      } else {
        end = Math.max(end, s[1]);
      }
    }
    return total + (end - start);
  }

  private static List<ObjectNode> concat(List<ObjectNode> a, List<ObjectNode> b) {
    List<ObjectNode> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
