package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A graph of steps, immutable, registered with the {@link SwarmEngine} under its name (a run names
 * its graph, so a restarted engine finds the code again). Edges are sequential ({@link
 * Builder#edge}), conditional ({@link Builder#route}: a function of the state picks the next step),
 * parallel ({@link Builder#fanOut}: one branch per item of a list, joined before the next step),
 * and loops (a route back to an earlier step, bounded by {@link Builder#maxVisits}).
 *
 * <p>State: a JSON object, the run's input at first. A step's output fields are merged into it by
 * the key's {@link Reducer} (replace unless said otherwise). A fan-out's output is the list of its
 * branches' outcomes in item order, each {@code {item, status, output | error}}, under the fan-out
 * step's name — a failed branch does not fail the run; the steps after the join decide.
 *
 * <p>A step without an outgoing edge or route ends the run. Routers must be pure functions of the
 * state: a resumed run walks the graph again from its start and must take the same path.
 */
public final class SwarmGraph {
  /** The name of the end: a route returning it finishes the run. */
  public static final String END = "__end__";

  /** How often a step may be visited when the graph does not say ({@link Builder#maxVisits}). */
  static final int DEFAULT_MAX_VISITS = 100;

  private static final Pattern STEP_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  /** How a step's output field is merged into the state field of the same name. */
  @FunctionalInterface
  public interface Reducer {
    JsonNode merge(JsonNode current, JsonNode update);

    /** The update replaces what was there (the default). */
    Reducer REPLACE = (current, update) -> update;
  }

  /** Picks the next step (or {@link #END}) from the state after a step. */
  @FunctionalInterface
  public interface Router {
    String next(JsonNode state);
  }

  /** A node of the graph: a plain step or a fan-out. */
  sealed interface Node {
    String name();

    /** The step's own policy; empty for the engine's default. */
    Optional<StepPolicy> policy();
  }

  record Step(String name, StepFunction function, Optional<StepPolicy> policy) implements Node {}

  record FanOut(
      String name,
      Function<JsonNode, List<JsonNode>> items,
      StepFunction branch,
      Optional<StepPolicy> policy)
      implements Node {}

  private final String name;
  private final String start;
  private final Map<String, Node> nodes;
  private final Map<String, Router> next;
  private final Map<String, Integer> maxVisits;
  private final Map<String, Reducer> reducers;

  private SwarmGraph(Builder b) {
    this.name = b.name;
    this.start = b.start != null ? b.start : b.nodes.keySet().iterator().next();
    this.nodes = Map.copyOf(b.nodes);
    this.next = Map.copyOf(b.next);
    this.maxVisits = Map.copyOf(b.maxVisits);
    this.reducers = Map.copyOf(b.reducers);
  }

  public static Builder builder(String name) {
    Objects.requireNonNull(name, "name");
    if (!STEP_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "graph name '" + name + "' must be 1 to 64 of [A-Za-z0-9_.:-]");
    }
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  String start() {
    return start;
  }

  Node node(String step) {
    return nodes.get(step);
  }

  /** The step after {@code step} given the state after it; {@link #END} when none. */
  String next(String step, JsonNode state) {
    Router router = next.get(step);
    if (router == null) {
      return END;
    }
    String chosen = router.next(state);
    if (chosen == null || (!chosen.equals(END) && !nodes.containsKey(chosen))) {
      throw new IllegalStateException(
          "the route after step '" + step + "' chose '" + chosen + "', which is no step");
    }
    return chosen;
  }

  int maxVisits(String step) {
    return maxVisits.getOrDefault(step, DEFAULT_MAX_VISITS);
  }

  Reducer reducer(String field) {
    return reducers.getOrDefault(field, Reducer.REPLACE);
  }

  /**
   * Builds a graph; {@link #build()} checks that every edge leads somewhere and END is reachable.
   */
  public static final class Builder {
    private final String name;
    private String start;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Router> next = new LinkedHashMap<>();
    private final Map<String, String> edges = new LinkedHashMap<>();
    private final Map<String, Integer> maxVisits = new LinkedHashMap<>();
    private final Map<String, Reducer> reducers = new LinkedHashMap<>();

    private Builder(String name) {
      this.name = name;
    }

    /** The first step; the first step added when not called. */
    public Builder start(String step) {
      this.start = Objects.requireNonNull(step, "step");
      return this;
    }

    /** A step with the engine's default policy. */
    public Builder step(String name, StepFunction function) {
      return add(new Step(checkName(name), Objects.requireNonNull(function), Optional.empty()));
    }

    public Builder step(String name, StepFunction function, StepPolicy policy) {
      return add(
          new Step(
              checkName(name),
              Objects.requireNonNull(function, "function"),
              Optional.of(Objects.requireNonNull(policy, "policy"))));
    }

    /**
     * A parallel step: {@code items} picks a list from the state, {@code branch} runs once per item
     * (each branch its own step key {@code name[i]}, its own attempts and checkpoint), all at once.
     */
    public Builder fanOut(
        String name,
        Function<JsonNode, List<JsonNode>> items,
        StepFunction branch,
        StepPolicy policy) {
      return add(
          new FanOut(
              checkName(name),
              Objects.requireNonNull(items, "items"),
              Objects.requireNonNull(branch, "branch"),
              Optional.of(Objects.requireNonNull(policy, "policy"))));
    }

    public Builder edge(String from, String to) {
      Objects.requireNonNull(to, "to");
      checkFree(from);
      edges.put(from, to);
      next.put(from, state -> to);
      return this;
    }

    public Builder route(String from, Router router) {
      Objects.requireNonNull(router, "router");
      checkFree(from);
      next.put(from, router);
      return this;
    }

    /** A loop's bound: visiting {@code step} more often fails the run, naming the step. */
    public Builder maxVisits(String step, int visits) {
      Objects.requireNonNull(step, "step");
      if (visits < 1) {
        throw new IllegalArgumentException("maxVisits of '" + step + "' must be >= 1");
      }
      maxVisits.put(step, visits);
      return this;
    }

    public Builder reducer(String stateField, Reducer reducer) {
      reducers.put(
          Objects.requireNonNull(stateField, "stateField"),
          Objects.requireNonNull(reducer, "reducer"));
      return this;
    }

    public SwarmGraph build() {
      List<String> problems = new ArrayList<>();
      if (nodes.isEmpty()) {
        problems.add("it has no step");
      }
      if (start != null && !nodes.containsKey(start)) {
        problems.add("its start '" + start + "' is no step");
      }
      for (String from : next.keySet()) {
        if (!nodes.containsKey(from)) {
          problems.add("an edge leaves '" + from + "', which is no step");
        }
      }
      edges.forEach(
          (from, to) -> {
            if (!to.equals(END) && !nodes.containsKey(to)) {
              problems.add("the edge " + from + " -> " + to + " leads to no step");
            }
          });
      for (String step : maxVisits.keySet()) {
        if (!nodes.containsKey(step)) {
          problems.add("maxVisits names '" + step + "', which is no step");
        }
      }
      // END is reachable when some step has no edge (it ends the run), an edge to END, or a
      // route (which may return END; routes are code and cannot be checked here).
      boolean endReachable =
          nodes.keySet().stream()
              .anyMatch(s -> !next.containsKey(s) || END.equals(edges.getOrDefault(s, END)));
      if (!nodes.isEmpty() && !endReachable) {
        problems.add("no step leads to END");
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "graph '" + name + "' is invalid: " + String.join("; ", problems));
      }
      return new SwarmGraph(this);
    }

    private Builder add(Node node) {
      if (nodes.putIfAbsent(node.name(), node) != null) {
        throw new IllegalArgumentException(
            "graph '" + name + "' has two steps named '" + node.name() + "'");
      }
      return this;
    }

    private void checkFree(String from) {
      Objects.requireNonNull(from, "from");
      if (next.containsKey(from)) {
        throw new IllegalArgumentException(
            "step '" + from + "' already has an edge or a route; a step has one way on");
      }
    }

    private static String checkName(String name) {
      Objects.requireNonNull(name, "name");
      if (!STEP_NAME.matcher(name).matches() || name.equals(END)) {
        throw new IllegalArgumentException(
            "step name '" + name + "' must be 1 to 64 of [A-Za-z0-9_.:-]");
      }
      return name;
    }
  }
}
