package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened in a run, stored with it: {@code seq} numbers a run's events from 1
 * without gaps (it is the server-sent event id), {@code type} names it (run_started, step_started,
 * step_finished, step_failed, step_retrying, approval_required, approval_decided, log, usage,
 * run_finished, or a step's own), {@code step} is the step key ({@code ""} for the run's own).
 */
public record SwarmEvent(
    String runId, long seq, String type, String step, JsonNode data, Instant at) {
  public static final String RUN_FINISHED = "run_finished";

  public SwarmEvent {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(at, "at");
  }

  /** The run's last event: nothing follows it. */
  public boolean last() {
    return type.equals(RUN_FINISHED);
  }
}
