package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Function;

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
 */
public final class SwarmGraph {
  /** The name of the end: a route returning it finishes the run. */
  public static final String END = "__end__";

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

  private SwarmGraph() {
    throw new UnsupportedOperationException("the swarm engine is being built (issue 4)");
  }

  public static Builder builder(String name) {
    throw new UnsupportedOperationException("the swarm engine is being built (issue 4)");
  }

  public String name() {
    throw new UnsupportedOperationException("the swarm engine is being built (issue 4)");
  }

  /**
   * Builds a graph; {@link #build()} checks that every edge leads somewhere and END is reachable.
   */
  public static final class Builder {
    private Builder() {}

    /** The first step; the first step added when not called. */
    public Builder start(String step) {
      throw new UnsupportedOperationException();
    }

    /** A step with the engine's default policy. */
    public Builder step(String name, StepFunction function) {
      throw new UnsupportedOperationException();
    }

    public Builder step(String name, StepFunction function, StepPolicy policy) {
      throw new UnsupportedOperationException();
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
      throw new UnsupportedOperationException();
    }

    public Builder edge(String from, String to) {
      throw new UnsupportedOperationException();
    }

    public Builder route(String from, Router router) {
      throw new UnsupportedOperationException();
    }

    /** A loop's bound: visiting {@code step} more often fails the run, naming the step. */
    public Builder maxVisits(String step, int visits) {
      throw new UnsupportedOperationException();
    }

    public Builder reducer(String stateField, Reducer reducer) {
      throw new UnsupportedOperationException();
    }

    public SwarmGraph build() {
      throw new UnsupportedOperationException();
    }
  }
}
