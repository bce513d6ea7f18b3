package ai.sophia.cli;

import ai.sophia.swarm.SwarmEvent;
import com.fasterxml.jackson.databind.JsonNode;

/** How swarm events and reports read on a terminal: one line per event, a short summary. */
final class SwarmLines {
  private SwarmLines() {}

  /** The progress line for an event; empty for events not worth a line. */
  static String progress(SwarmEvent e) {
    JsonNode d = e.data();
    return switch (e.type()) {
      case "plan" -> {
        StringBuilder b =
            new StringBuilder("plan (" + d.path("mode").asText() + "): " + d.path("note").asText());
        for (JsonNode t : d.path("subtasks")) {
          b.append("\n  ")
              .append(t.path("id").asText())
              .append(" → ")
              .append(t.path("agent").asText())
              .append(": ")
              .append(t.path("task").asText());
        }
        yield b.toString();
      }
      case "agent_started" ->
          "  ["
              + d.path("subtask").asText()
              + " "
              + d.path("agent").asText()
              + "] started, run "
              + d.path("run_id").asText()
              + " ("
              + d.path("mode").asText()
              + (d.path("attempt").asInt(1) > 1 ? ", attempt " + d.path("attempt").asInt() : "")
              + ")";
      case "agent_tool" -> "  [" + d.path("agent").asText() + "] → " + d.path("tool").asText();
      case "agent_finished" ->
          "  ["
              + d.path("subtask").asText()
              + " "
              + d.path("agent").asText()
              + "] "
              + d.path("status").asText()
              + " in "
              + d.path("duration_ms").asLong()
              + " ms";
      case "step_started" -> e.step().contains("[") ? "" : "step " + e.step();
      case "step_failed", "step_retrying" ->
          "  step "
              + e.step()
              + " "
              + e.type().substring(5)
              + ": "
              + d.path("error").asText(d.toString());
      case "approval_required" ->
          "  step "
              + e.step()
              + " waits for a person: POST /api/v1/swarm/"
              + e.runId()
              + "/steps/"
              + e.step()
              + "/approve (or /deny)";
      case "run_finished" -> "done: " + d.path("status").asText(d.toString());
      default -> "";
    };
  }

  /** One event as {@code logs} prints it: seq, time, type, step, data. */
  static String event(SwarmEvent e) {
    return e.seq()
        + " "
        + e.at()
        + " "
        + e.type()
        + (e.step().isEmpty() ? "" : " " + e.step())
        + " "
        + e.data();
  }

  /** The aggregated result, the per-agent statuses and the quality report. */
  static String summary(JsonNode r) {
    StringBuilder b = new StringBuilder();
    JsonNode results = r.path("results");
    b.append(results.path("aggregated").path("text").asText("")).append("\n\n");
    b.append(status(r));
    return b.toString().strip();
  }

  /** Status, outcome, timeline, per-agent results and quality, in a few lines. */
  static String status(JsonNode r) {
    StringBuilder b = new StringBuilder();
    JsonNode health = r.path("swarm_health");
    b.append("swarm ")
        .append(r.path("task_id").asText())
        .append(" ")
        .append(r.path("status").asText())
        .append(" (")
        .append(r.path("pattern").asText())
        .append(", ")
        .append(health.path("outcome").asText())
        .append(")\n");
    for (JsonNode s : r.path("execution_timeline")) {
      b.append("  ")
          .append(String.format("%-24s", s.path("step").asText()))
          .append(" ")
          .append(String.format("%-16s", s.path("status").asText()))
          .append(" ")
          .append(s.path("duration_ms").asLong())
          .append(" ms")
          .append(s.hasNonNull("error") ? "  " + s.path("error").asText() : "")
          .append('\n');
    }
    for (JsonNode a : r.path("results").path("per_agent")) {
      b.append("  agent ")
          .append(a.path("agent").asText())
          .append(": ")
          .append(a.path("status").asText())
          .append(a.hasNonNull("error") ? " — " + a.path("error").asText() : "")
          .append(a.hasNonNull("reason") ? " — " + a.path("reason").asText() : "")
          .append('\n');
    }
    JsonNode q = r.path("results").path("quality_report");
    if (q.isObject()) {
      b.append(
          String.format(
              "quality %.3f, completeness %.3f, overall %.3f: %s%n",
              q.path("quality_score").asDouble(),
              q.path("completeness_score").asDouble(),
              q.path("overall_score").asDouble(),
              q.path("meets_threshold").asBoolean()
                  ? "meets the threshold"
                  : "below the threshold"));
      for (JsonNode rec : q.path("recommendations")) {
        b.append("  - ").append(rec.asText()).append('\n');
      }
    }
    JsonNode p = r.path("swarm_performance");
    if (p.isObject()) {
      b.append("took ")
          .append(p.path("duration_ms").asLong())
          .append(" ms: ")
          .append(p.path("agent_time_ms").asLong())
          .append(" ms in agents, ")
          .append(p.path("coordination_overhead_ms").asLong())
          .append(" ms coordinating");
    }
    return b.toString().strip();
  }
}
