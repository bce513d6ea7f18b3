package ai.sophia.swarm;

import ai.sophia.config.SophiaConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs graphs durably. A run is stored before its first step; every step's result is committed when
 * it finishes; {@link #resumeUnfinished()} continues every run a crash interrupted from its last
 * committed step. Runs execute on virtual threads.
 */
public final class SwarmEngine implements AutoCloseable {
  private SwarmEngine() {}

  /** An engine over {@code store}; the step defaults, deadline and retention come from settings. */
  public static SwarmEngine create(SwarmStore store, SophiaConfig.Swarm settings, Clock clock) {
    throw new UnsupportedOperationException("the swarm engine is being built (issue 4)");
  }

  /** Makes a graph runnable, and resumable, under its name. */
  public void register(SwarmGraph graph) {
    throw new UnsupportedOperationException();
  }

  /**
   * Records a new run of the graph named {@code graph} with {@code input} as its state, then starts
   * it; returns at once.
   *
   * @throws ai.sophia.error.InvalidInputException when no graph has that name
   */
  public SwarmRun start(String graph, JsonNode input, String requestedBy) {
    throw new UnsupportedOperationException();
  }

  /** Continues every unfinished run in the store; returns how many. Call once after start-up. */
  public int resumeUnfinished() {
    throw new UnsupportedOperationException();
  }

  public Optional<SwarmRun> find(String runId) {
    throw new UnsupportedOperationException();
  }

  /** Runs newest first, without their steps, of one status or all. */
  public List<SwarmRun> list(Optional<SwarmStatus> status, int limit) {
    throw new UnsupportedOperationException();
  }

  /** The run once finished, or as it is when {@code max} has passed. */
  public SwarmRun await(String runId, Duration max) {
    throw new UnsupportedOperationException();
  }

  /**
   * Cancels a run: running steps are told, nothing new starts, the run ends cancelled.
   *
   * @throws ai.sophia.error.NotFoundException when there is no such run
   * @throws ai.sophia.error.ConflictException when it has already finished
   */
  public SwarmRun cancel(String runId, String by) {
    throw new UnsupportedOperationException();
  }

  /**
   * A person's decision on a step waiting for approval; recorded with who and why. Denied, the step
   * is skipped (status skipped, the reason as its error) and the run goes on.
   *
   * @throws ai.sophia.error.NotFoundException when no such step waits
   */
  public SwarmRun decide(
      String runId, String stepKey, boolean granted, String decidedBy, String reason) {
    throw new UnsupportedOperationException();
  }

  /**
   * Delivers the run's stored events after {@code afterSeq} in order, then each new one, until the
   * subscription is closed.
   */
  public AutoCloseable subscribe(String runId, long afterSeq, Consumer<SwarmEvent> listener) {
    throw new UnsupportedOperationException();
  }

  /** Deletes steps and events of runs finished longer ago than the retention; returns how many. */
  public int purgeExpired() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
