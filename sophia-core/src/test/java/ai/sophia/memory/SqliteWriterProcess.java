package ai.sophia.memory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A second OS process for {@link SqliteDatabaseTest}: writes metrics into a shared database. */
final class SqliteWriterProcess {
  private SqliteWriterProcess() {}

  /** Arguments: data directory, number of two-row batches to write. */
  public static void main(String[] args) {
    int batches = Integer.parseInt(args[1]);
    try (SqliteDatabase db = SqliteDatabase.open(Path.of(args[0]))) {
      OperationsStore ops = new SqlOperationsStore(db);
      for (int i = 0; i < batches; i++) {
        ops.recordMetrics(
            List.of(
                new PerformanceMetric("child", i, "ms", Map.of(), Instant.now()),
                new PerformanceMetric("child", i, "ms", Map.of(), Instant.now())));
      }
    }
  }
}
