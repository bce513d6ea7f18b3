package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-agent results of a run, read from its state: each sub-task's outcome (from the
 * parallel_execution fan-out, or the monitoring rounds) and the pipeline's commit and deployment. A
 * failed branch becomes {@code {agent, subtask, status: failed, error}}: failures are reported,
 * never dropped.
 */
final class AgentResults {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> PIPELINE = List.of("commit", "deployment");

  private AgentResults() {}

  /** The sub-tasks' results, in plan order (monitoring: one per round). */
  static List<ObjectNode> subtasks(JsonNode state) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode branch : state.path(SwarmCoordinator.PARALLEL)) {
      JsonNode item = branch.path("item");
      if ("succeeded".equals(branch.path("status").asText()) && branch.path("output").isObject()) {
        out.add(((ObjectNode) branch.path("output")).deepCopy());
      } else {
        out.add(
            JSON.createObjectNode()
                .put("agent", item.path("agent").asText())
                .put("subtask", item.path("id").asText())
                .put("status", branch.path("status").asText("failed"))
                .put("answer", "")
                .put("error", branch.path("error").asText("")));
      }
    }
    for (JsonNode round : state.path("rounds")) {
      out.add(((ObjectNode) round).deepCopy());
    }
    return out;
  }

  /** The pipeline stages that were to run (not skipped): commit and deployment results. */
  static List<ObjectNode> pipeline(JsonNode state) {
    List<ObjectNode> out = new ArrayList<>();
    for (String stage : PIPELINE) {
      JsonNode s = state.path(stage);
      if (s.isObject() && !"skipped".equals(s.path("status").asText())) {
        out.add(((ObjectNode) s).deepCopy());
      }
    }
    return out;
  }

  static boolean succeeded(JsonNode result) {
    return "succeeded".equals(result.path("status").asText());
  }
}
