package ai.sophia.memory;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** One measured value, e.g. {@code research.stage.fetch} = 812 {@code ms}, with labels. */
public record PerformanceMetric(
    String name, double value, String unit, Map<String, String> labels, Instant recordedAt) {
  public PerformanceMetric {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(recordedAt, "recordedAt");
    unit = unit == null ? "" : unit;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
