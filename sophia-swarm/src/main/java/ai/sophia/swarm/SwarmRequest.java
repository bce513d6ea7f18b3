package ai.sophia.swarm;

import ai.sophia.agent.AgentRequest;
import ai.sophia.error.InvalidInputException;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a swarm is asked to do (SPEC §2 plus what the coordinator needs): the task, the agents to
 * use (empty: the plan picks), the objective (what a good result looks like), the priority, the
 * pattern (empty: chosen from the task by rules), the risks authorized up front ({@code write} lets
 * the development swarm commit, {@code deploy} deploy), whether unauthorized commit and deployment
 * steps wait for a person's approval instead of being skipped, the repository a commit goes to, and
 * for monitoring the number of rounds and the interval between them.
 */
public record SwarmRequest(
    String task,
    List<String> agents,
    String objective,
    String priority,
    Optional<SwarmPattern> pattern,
    Set<Risk> authorize,
    boolean askApproval,
    String repository,
    int rounds,
    long intervalMs) {
  public static final int MAX_TASK_CHARS = 4000;
  public static final int MAX_AGENTS = 10;
  public static final int MAX_ROUNDS = 100;
  public static final long MAX_INTERVAL_MS = 3_600_000;
  static final List<String> PRIORITIES = List.of("low", "normal", "high", "critical");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,39}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Checks every field; the exception names the one at fault. */
  public SwarmRequest {
    Objects.requireNonNull(task, "task");
    if (task.isBlank()) {
      throw new InvalidInputException("task", "task is required and must not be blank");
    }
    task = task.strip();
    if (task.length() > MAX_TASK_CHARS) {
      throw new InvalidInputException(
          "task", "task is " + task.length() + " characters; the limit is " + MAX_TASK_CHARS);
    }
    Objects.requireNonNull(agents, "agents");
    if (agents.size() > MAX_AGENTS) {
      throw new InvalidInputException("agents", "agents lists at most " + MAX_AGENTS + " agents");
    }
    for (int i = 0; i < agents.size(); i++) {
      String a = agents.get(i);
      if (a == null || !NAME.matcher(a).matches()) {
        String field = "agents[" + i + "]";
        throw new InvalidInputException(
            field,
            field
                + " is not an agent name (lower-case letters, digits, - and _); got "
                + (a == null ? "null" : "'" + a + "'"));
      }
    }
    agents = List.copyOf(agents);
    if (agents.stream().distinct().count() != agents.size()) {
      throw new InvalidInputException("agents", "agents names an agent twice");
    }
    objective = Objects.requireNonNull(objective, "objective").strip();
    if (objective.length() > MAX_TASK_CHARS) {
      throw new InvalidInputException(
          "objective", "objective is at most " + MAX_TASK_CHARS + " characters");
    }
    if (task.length() + objective.length() > AgentRequest.MAX_INPUT_CHARS - 500) {
      throw new InvalidInputException(
          "objective", "task and objective together are too long for an agent's input");
    }
    Objects.requireNonNull(priority, "priority");
    if (!PRIORITIES.contains(priority)) {
      throw new InvalidInputException(
          "priority", "priority is one of " + PRIORITIES + "; got '" + priority + "'");
    }
    Objects.requireNonNull(pattern, "pattern");
    authorize = authorize.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(authorize));
    if (authorize.contains(Risk.read)) {
      throw new InvalidInputException("authorize", "authorize lists write or deploy");
    }
    repository = Objects.requireNonNull(repository, "repository").strip();
    if (repository.length() > 100) {
      throw new InvalidInputException("repository", "repository is at most 100 characters");
    }
    if (rounds < 1 || rounds > MAX_ROUNDS) {
      throw new InvalidInputException(
          "rounds", "rounds is between 1 and " + MAX_ROUNDS + "; got " + rounds);
    }
    if (intervalMs < 0 || intervalMs > MAX_INTERVAL_MS) {
      throw new InvalidInputException(
          "interval_ms", "interval_ms is between 0 and " + MAX_INTERVAL_MS + "; got " + intervalMs);
    }
  }

  /** A task with every default: agents and pattern chosen for it, nothing authorized. */
  public static SwarmRequest of(String task) {
    return new SwarmRequest(
        task, List.of(), "", "normal", Optional.empty(), Set.of(), false, "", 3, 60_000);
  }

  public SwarmRequest withAgents(List<String> value) {
    return new SwarmRequest(
        task,
        value,
        objective,
        priority,
        pattern,
        authorize,
        askApproval,
        repository,
        rounds,
        intervalMs);
  }

  public SwarmRequest withObjective(String value) {
    return new SwarmRequest(
        task,
        agents,
        value,
        priority,
        pattern,
        authorize,
        askApproval,
        repository,
        rounds,
        intervalMs);
  }

  public SwarmRequest withPriority(String value) {
    return new SwarmRequest(
        task,
        agents,
        objective,
        value,
        pattern,
        authorize,
        askApproval,
        repository,
        rounds,
        intervalMs);
  }

  public SwarmRequest withPattern(SwarmPattern value) {
    return new SwarmRequest(
        task,
        agents,
        objective,
        priority,
        Optional.of(value),
        authorize,
        askApproval,
        repository,
        rounds,
        intervalMs);
  }

  public SwarmRequest withAuthorize(Set<Risk> value) {
    return new SwarmRequest(
        task,
        agents,
        objective,
        priority,
        pattern,
        value,
        askApproval,
        repository,
        rounds,
        intervalMs);
  }

  public SwarmRequest askingApproval(boolean value) {
    return new SwarmRequest(
        task,
        agents,
        objective,
        priority,
        pattern,
        authorize,
        value,
        repository,
        rounds,
        intervalMs);
  }

  public SwarmRequest withRepository(String value) {
    return new SwarmRequest(
        task,
        agents,
        objective,
        priority,
        pattern,
        authorize,
        askApproval,
        value,
        rounds,
        intervalMs);
  }

  public SwarmRequest withRounds(int value, long everyMs) {
    return new SwarmRequest(
        task,
        agents,
        objective,
        priority,
        pattern,
        authorize,
        askApproval,
        repository,
        value,
        everyMs);
  }

  /**
   * A request as loosely given — the body of {@code POST /api/v1/swarm/trigger} and of the MCP tool
   * {@code swarm_trigger} (read with a snake_case mapper), command-line options — where null means
   * absent (the default). {@link #toRequest} checks every field; {@code prefix} is put before field
   * names in errors ({@code "--"} on the command line, so they name the option). {@code wait} is
   * the caller's, not the swarm's: whether it waits for the result.
   */
  public record Draft(
      String task,
      List<String> agents,
      String objective,
      String priority,
      String pattern,
      List<String> authorize,
      Boolean askApproval,
      String repository,
      Integer rounds,
      Long intervalMs,
      @JsonProperty("wait") Boolean waitForResult) {
    /** Whether the caller asked to wait for the result ({@code wait: true}). */
    public boolean waits() {
      return Boolean.TRUE.equals(waitForResult);
    }

    public SwarmRequest toRequest(String prefix) {
      if (task == null || task.isBlank()) {
        throw new InvalidInputException(
            prefix + "task", prefix + "task is required and must not be blank");
      }
      SwarmRequest r =
          SwarmRequest.of(task)
              .withAgents(agents == null ? List.of() : agents)
              .withObjective(objective == null ? "" : objective)
              .withPriority(priority == null ? "normal" : priority)
              .withAuthorize(risks(authorize == null ? List.of() : authorize, prefix + "authorize"))
              .askingApproval(Boolean.TRUE.equals(askApproval))
              .withRepository(repository == null ? "" : repository);
      if (pattern != null) {
        r = r.withPattern(SwarmPattern.parse(pattern, prefix + "pattern"));
      }
      if (rounds != null || intervalMs != null) {
        r =
            r.withRounds(
                rounds == null ? r.rounds() : rounds,
                intervalMs == null ? r.intervalMs() : intervalMs);
      }
      return r;
    }
  }

  /** The pattern asked for, else the one the task's words suggest. */
  public SwarmPattern effectivePattern() {
    return pattern.orElseGet(() -> SwarmPattern.choose(task));
  }

  /** Parses {@code authorize} names, naming the element of {@code field} when one is bad. */
  public static Set<Risk> risks(List<String> names, String field) {
    Set<Risk> risks = EnumSet.noneOf(Risk.class);
    for (int i = 0; i < names.size(); i++) {
      // A JSON field names the element at fault; a command-line option (--authorize) itself.
      String at = field.startsWith("--") ? field : field + "[" + i + "]";
      risks.add(Risk.authorizable(names.get(i), at));
    }
    return risks;
  }

  /** The request as stored in a run's state (snake_case). */
  ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode().put("task", task);
    agents.forEach(n.putArray("agents")::add);
    n.put("objective", objective).put("priority", priority);
    n.put("pattern", effectivePattern().name());
    var risks = n.putArray("authorize");
    authorize.stream().map(Risk::name).sorted().forEach(risks::add);
    n.put("ask_approval", askApproval).put("repository", repository);
    n.put("rounds", rounds).put("interval_ms", intervalMs);
    return n;
  }

  /** A request back from a run's state. */
  static SwarmRequest fromJson(JsonNode n) {
    List<String> agents = new ArrayList<>();
    n.path("agents").forEach(a -> agents.add(a.asText()));
    List<String> risks = new ArrayList<>();
    n.path("authorize").forEach(r -> risks.add(r.asText()));
    return new SwarmRequest(
        n.path("task").asText(),
        agents,
        n.path("objective").asText(""),
        n.path("priority").asText("normal"),
        Optional.of(SwarmPattern.parse(n.path("pattern").asText("research"), "pattern")),
        risks(risks, "authorize"),
        n.path("ask_approval").asBoolean(false),
        n.path("repository").asText(""),
        n.path("rounds").asInt(3),
        n.path("interval_ms").asLong(60_000));
  }
}
