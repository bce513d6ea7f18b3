package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A step's code. It returns the step's output, a JSON object whose fields are merged into the run's
 * state by the graph's reducers; the output is committed to the store before the run goes on, so a
 * step that finished is never run again, not even after a crash. Throwing fails this attempt (the
 * step's {@link StepPolicy} decides whether it is tried again).
 */
@FunctionalInterface
public interface StepFunction {
  JsonNode run(StepContext context) throws Exception;
}
