package ai.sophia.swarm;

import ai.sophia.agent.AgentRegistry;
import ai.sophia.agent.TaskRules;
import ai.sophia.model.CallContext;
import ai.sophia.model.Message;
import ai.sophia.model.ModelGateway;
import ai.sophia.model.ModelReply;
import ai.sophia.model.ModelRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The swarm's first step: the task decomposed into sub-tasks, each with the agent that takes it.
 * With a model available the model plans (JSON against a schema, checked: only known agents, at
 * most five sub-tasks); without one, or when its plan is unusable, rules plan ({@link TaskRules})
 * and the plan says so in {@code mode} and {@code note}. A research swarm whose task is one
 * question broadcasts it to every chosen agent (research and analysis by default).
 */
final class TaskAnalysis {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> DEFAULT_AGENTS = List.of("research", "analysis");

  private final ModelGateway gateway;
  private final AgentRegistry agents;

  TaskAnalysis(ModelGateway gateway, AgentRegistry agents) {
    this.gateway = gateway;
    this.agents = agents;
  }

  /** A sub-task and the agent that takes it. */
  record SubTask(String task, String agent) {}

  /** The plan as stored: {@code {mode, pattern, note, subtasks: [{id, task, agent}]}}. */
  ObjectNode plan(SwarmRequest request, String requestedBy) {
    SwarmPattern pattern = request.effectivePattern();
    List<String> allowed = allowed(request, pattern);
    String note;
    String mode;
    long[] usage = new long[2];
    double[] cost = new double[1];
    List<SubTask> subtasks;
    if (gateway.available(gateway.defaultPolicy())) {
      List<SubTask> planned;
      String why;
      try {
        planned = modelPlan(request, allowed, requestedBy, usage, cost);
        why = planned.isEmpty() ? "the model's plan held no usable sub-task" : "";
      } catch (RuntimeException e) {
        planned = List.of();
        why = "the model could not plan (" + e.getMessage() + ")";
      }
      if (planned.isEmpty()) {
        subtasks = rulePlan(request, pattern, allowed);
        mode = "offline";
        note = why + "; planned by rules";
      } else {
        subtasks = planned;
        mode = "model";
        note = "planned by the model";
      }
    } else {
      subtasks = rulePlan(request, pattern, allowed);
      mode = "offline";
      note = "no model is available: planned by rules (offline mode)";
    }
    ObjectNode plan = JSON.createObjectNode();
    plan.put("mode", mode).put("pattern", pattern.name()).put("note", note);
    plan.putObject("usage")
        .put("input_tokens", usage[0])
        .put("output_tokens", usage[1])
        .put("cost_usd", cost[0]);
    ArrayNode list = plan.putArray("subtasks");
    for (int i = 0; i < subtasks.size(); i++) {
      list.addObject()
          .put("id", "t" + (i + 1))
          .put("task", subtasks.get(i).task())
          .put("agent", subtasks.get(i).agent());
    }
    return plan;
  }

  /** The agents a plan may use: those the request names, else the pattern's defaults. */
  private List<String> allowed(SwarmRequest request, SwarmPattern pattern) {
    if (!request.agents().isEmpty()) {
      return request.agents();
    }
    return switch (pattern) {
      case research, development -> DEFAULT_AGENTS;
      case monitoring -> List.of("research");
    };
  }

  static List<SubTask> rulePlan(SwarmRequest request, SwarmPattern pattern, List<String> allowed) {
    if (pattern == SwarmPattern.monitoring) {
      // Round robin: every agent gets the whole task in turn.
      return allowed.stream().map(a -> new SubTask(request.task(), a)).toList();
    }
    List<String> parts = TaskRules.split(request.task());
    List<SubTask> out = new ArrayList<>();
    if (parts.size() == 1) {
      // Broadcast: one question, every chosen agent answers it.
      for (String agent : researchers(allowed)) {
        out.add(new SubTask(parts.getFirst(), agent));
      }
      return out;
    }
    List<String> researchers = researchers(allowed);
    for (int i = 0; i < parts.size(); i++) {
      String wanted = TaskRules.route(parts.get(i));
      String agent =
          researchers.contains(wanted) ? wanted : researchers.get(i % researchers.size());
      out.add(new SubTask(parts.get(i), agent));
    }
    return out;
  }

  /** The agents that take sub-tasks: the pipeline's commit and deployment agents do not. */
  private static List<String> researchers(List<String> allowed) {
    List<String> r =
        allowed.stream().filter(a -> !a.equals("commit") && !a.equals("deployment")).toList();
    return r.isEmpty() ? DEFAULT_AGENTS : r;
  }

  private List<SubTask> modelPlan(
      SwarmRequest request, List<String> allowed, String requestedBy, long[] usage, double[] cost) {
    List<String> researchers = researchers(allowed);
    StringBuilder roster = new StringBuilder();
    for (String name : researchers) {
      agents
          .find(name)
          .ifPresent(
              a ->
                  roster
                      .append("- ")
                      .append(name)
                      .append(": ")
                      .append(a.definition().description())
                      .append('\n'));
    }
    String system =
        "You plan work for a swarm of agents. Split the task into 1 to "
            + TaskRules.MAX_SUBTASKS
            + " self-contained sub-tasks that can run in parallel, and give each to the best"
            + " agent. Agents:\n"
            + roster
            + "Answer only with JSON: {\"subtasks\": [{\"task\": \"...\", \"agent\": \"...\"}]}.";
    String user =
        "Task: "
            + request.task()
            + (request.objective().isEmpty() ? "" : "\nObjective: " + request.objective());
    ModelRequest ask =
        ModelRequest.of(List.of(new Message.System(system), new Message.User(user)))
            .withResponseSchema("swarm_plan", schema(researchers))
            .withMaxOutputTokens(800);
    ModelReply reply =
        gateway.chat(gateway.defaultPolicy(), ask, new CallContext(requestedBy, "coordinator", ""));
    usage[0] += reply.usage().inputTokens();
    usage[1] += reply.usage().outputTokens();
    cost[0] += reply.costUsd();
    return parse(reply.text(), Set.copyOf(researchers));
  }

  /** The sub-tasks of a model's JSON plan that name an allowed agent; at most five. */
  static List<SubTask> parse(String text, Set<String> allowed) {
    JsonNode root;
    try {
      String json = text.strip();
      int start = json.indexOf('{');
      int end = json.lastIndexOf('}');
      root = JSON.readTree(start >= 0 && end > start ? json.substring(start, end + 1) : json);
    } catch (Exception e) {
      return List.of();
    }
    Set<String> seen = new LinkedHashSet<>();
    List<SubTask> out = new ArrayList<>();
    for (JsonNode n : root.path("subtasks")) {
      String task = n.path("task").asText("").strip();
      String agent = n.path("agent").asText("").strip();
      if (task.length() >= 3
          && task.length() <= SwarmRequest.MAX_TASK_CHARS
          && allowed.contains(agent)
          && seen.add(agent + "\u0000" + task)
          && out.size() < TaskRules.MAX_SUBTASKS) {
        out.add(new SubTask(task, agent));
      }
    }
    return out;
  }

  private static JsonNode schema(List<String> agents) {
    ObjectNode s = JSON.createObjectNode().put("type", "object");
    ObjectNode sub = s.putObject("properties").putObject("subtasks").put("type", "array");
    sub.put("maxItems", TaskRules.MAX_SUBTASKS);
    ObjectNode item = sub.putObject("items").put("type", "object");
    ObjectNode p = item.putObject("properties");
    p.putObject("task").put("type", "string");
    ArrayNode names = p.putObject("agent").put("type", "string").putArray("enum");
    agents.forEach(names::add);
    item.putArray("required").add("task").add("agent");
    item.put("additionalProperties", false);
    s.putArray("required").add("subtasks");
    s.put("additionalProperties", false);
    return s;
  }
}
