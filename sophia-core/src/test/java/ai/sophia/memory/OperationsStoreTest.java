package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's contract, on SQLite and on PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class OperationsStoreTest {
  @Parameter Backend backend;

  @TempDir Path dir;

  @Test
  void recordTask_thenReopen_recentTasksNewestFirst() {
    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
    try (Database db = backend.open(dir)) {
      OperationsStore ops = new SqlOperationsStore(db);
      ops.recordTask(
          new TaskExecution("a", "research", "succeeded", t0, t0.plusMillis(900), 900, null));
      ops.recordTask(
          new TaskExecution(
              "b", "ingest", "failed", t0.plusSeconds(5), t0.plusSeconds(6), 1000, "{\"e\":1}"));
    }
    try (Database db = backend.open(dir)) {
      List<TaskExecution> tasks = new SqlOperationsStore(db).recentTasks(10);
      assertThat(tasks).extracting(TaskExecution::id).containsExactly("b", "a");
      assertThat(tasks.get(0).detailJson()).isEqualTo("{\"e\":1}");
      assertThat(tasks.get(1).detailJson()).isEqualTo("{}");
      assertThat(tasks.get(1).durationMs()).isEqualTo(900);
    }
  }

  @Test
  void recordMetrics_batch_readsBackWithLabelsNewestFirst() {
    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
    try (Database db = backend.open(dir)) {
      OperationsStore ops = new SqlOperationsStore(db);
      ops.recordMetrics(
          List.of(
              new PerformanceMetric("research.stage", 120, "ms", Map.of("stage", "search"), t0),
              new PerformanceMetric(
                  "research.stage", 800, "ms", Map.of("stage", "fetch"), t0.plusMillis(1)),
              new PerformanceMetric("other", 1, "", Map.of(), t0)));
      ops.recordMetrics(List.of());

      List<PerformanceMetric> stages = ops.recentMetrics("research.stage", 10);
      assertThat(stages).extracting(PerformanceMetric::value).containsExactly(800.0, 120.0);
      assertThat(stages.get(0).labels()).isEqualTo(Map.of("stage", "fetch"));
      assertThat(ops.recentMetrics("research.stage", 1)).hasSize(1);
      assertThat(ops.recentMetrics("missing", 10)).isEmpty();
    }
  }
}
