package ai.sophia.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One step of a run as stored: its key and name, status (pending, running, waiting_approval,
 * succeeded, failed, skipped, cancelled), the attempt it is at, when it started and finished, and
 * its output or error.
 */
public record StepRecord(
    String key,
    String name,
    String status,
    int attempt,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt,
    JsonNode output,
    String error) {

  /** Milliseconds from start to finish; 0 until it finished. */
  public long durationMs() {
    return startedAt.isPresent() && finishedAt.isPresent()
        ? finishedAt.get().toEpochMilli() - startedAt.get().toEpochMilli()
        : 0;
  }
}
