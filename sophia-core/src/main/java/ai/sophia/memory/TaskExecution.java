package ai.sophia.memory;

import java.time.Instant;
import java.util.Objects;

/**
 * One finished unit of work (a research run, an ingest) as recorded for operations. {@code status}
 * is a short word such as {@code succeeded} or {@code failed}; {@code detailJson} is a JSON object
 * owned by the module that ran the task.
 */
public record TaskExecution(
    String id,
    String operation,
    String status,
    Instant startedAt,
    Instant finishedAt,
    long durationMs,
    String detailJson) {
  public TaskExecution {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    detailJson = detailJson == null || detailJson.isBlank() ? "{}" : detailJson;
  }
}
