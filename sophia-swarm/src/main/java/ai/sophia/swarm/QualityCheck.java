package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The quality report of SPEC §3, computed from the run, nothing invented:
 *
 * <ul>
 *   <li>{@code completeness_score}: the share of the work that was to be done and succeeded — every
 *       sub-task (or monitoring round), plus the commit and deployment when they were to run (not
 *       skipped for lack of authorization or by a person's denial);
 *   <li>{@code quality_score}: the mean of the successful results' scores — 0.5 for a non-empty
 *       answer, 0.3 when a research or analysis answer cites its sources ([n]; other agents'
 *       answers get it for succeeding), 0.2 when a model wrote it rather than offline rules — 0
 *       when nothing succeeded;
 *   <li>{@code overall_score}: the mean of the two;
 *   <li>{@code meets_threshold}: each of the three above {@code swarm.quality_threshold};
 *   <li>{@code recommendations}: what to do about each shortfall found.
 * </ul>
 */
final class QualityCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CITING = List.of("research", "analysis", "coordinator");

  private QualityCheck() {}

  static ObjectNode assess(JsonNode state, double threshold) {
    List<ObjectNode> subtasks = AgentResults.subtasks(state);
    List<ObjectNode> pipeline = AgentResults.pipeline(state);
    ArrayNode recommendations = JSON.createArrayNode();
    int expected = subtasks.size() + pipeline.size();
    int done = 0;
    double quality = 0;
    int offline = 0;
    int uncited = 0;
    for (ObjectNode r : concat(subtasks, pipeline)) {
      if (!AgentResults.succeeded(r)) {
        recommendations.add(
            "agent "
                + r.path("agent").asText()
                + " did not succeed"
                + (r.path("subtask").asText().isEmpty()
                    ? ""
                    : " on sub-task " + r.path("subtask").asText())
                + ": "
                + firstNonBlank(r.path("error").asText(), r.path("note").asText())
                + "; check the agent's health and run the swarm again");
        continue;
      }
      done++;
      quality += score(r);
      if (!"model".equals(r.path("mode").asText())) {
        offline++;
      }
      if (cites(r) && AgentStep.citations(r.path("answer").asText()) == 0) {
        uncited++;
      }
      if (r.path("answer").asText().isBlank()) {
        recommendations.add("agent " + r.path("agent").asText() + " gave an empty answer");
      }
    }
    // Rounded before comparing: 0.5 + 0.3 must not pass a 0.8 bar by a floating-point hair.
    double completeness = round(expected == 0 ? 0 : (double) done / expected);
    double qualityScore = round(done == 0 ? 0 : quality / done);
    double overall = round((completeness + qualityScore) / 2);
    if (offline > 0) {
      recommendations.add(
          offline
              + " result(s) came from offline rules: configure a model provider (models.providers)"
              + " for written, reasoned answers");
    }
    if (uncited > 0) {
      recommendations.add(
          uncited + " research or analysis answer(s) cite no source: ingest or search more");
    }
    for (String stage : AgentResults.PIPELINE) {
      JsonNode s = state.path(stage);
      if ("skipped".equals(s.path("status").asText())) {
        recommendations.add(stage + " was skipped: " + s.path("reason").asText());
      }
    }
    if (expected == 0) {
      recommendations.add("the plan held no work: rephrase the task");
    }
    ObjectNode report = JSON.createObjectNode();
    report
        .put("quality_score", qualityScore)
        .put("completeness_score", completeness)
        .put("overall_score", overall)
        .put("threshold", threshold)
        .put(
            "meets_threshold",
            qualityScore > threshold && completeness > threshold && overall > threshold)
        .put("succeeded", done)
        .put("expected", expected);
    report.set("recommendations", recommendations);
    return report;
  }

  /** One successful result's score, between 0 and 1. */
  static double score(JsonNode r) {
    double s = r.path("answer").asText().isBlank() ? 0 : 0.5;
    if (!cites(r) || AgentStep.citations(r.path("answer").asText()) > 0) {
      s += 0.3;
    }
    if ("model".equals(r.path("mode").asText())) {
      s += 0.2;
    }
    return s;
  }

  private static boolean cites(JsonNode r) {
    String type = r.path("type").asText(r.path("agent").asText()).toLowerCase(Locale.ROOT);
    return CITING.contains(type);
  }

  private static List<ObjectNode> concat(List<ObjectNode> a, List<ObjectNode> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  private static String firstNonBlank(String a, String b) {
    return a.isBlank() ? b : a;
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
