package ai.sophia.memory;

import java.time.Instant;
import java.util.Objects;

/** One research result as stored: indexed columns plus the full result as JSON. */
public record ResearchRecord(
    String id,
    String query,
    String engine,
    String mode,
    double qualityScore,
    int sourcesFound,
    String resultJson,
    Instant createdAt) {
  public ResearchRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(resultJson, "resultJson");
    Objects.requireNonNull(createdAt, "createdAt");
    engine = engine == null ? "" : engine;
    mode = mode == null ? "" : mode;
  }
}
