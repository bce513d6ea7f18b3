package ai.sophia.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link OperationsStore} in the {@code task_executions} and {@code performance_metrics} tables.
 */
public final class SqlOperationsStore implements OperationsStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  private static final String TASK_COLUMNS =
      "id, operation, status, started_at, finished_at, duration_ms, detail_json";

  private final Database db;
  // Tasks ending at once (thousands of agent runs) share one transaction per batch.
  private final GroupCommit<TaskExecution> tasks;

  public SqlOperationsStore(Database database) {
    this.db = Objects.requireNonNull(database, "database");
    this.tasks = new GroupCommit<>(db, SqlOperationsStore::upsertTasks);
  }

  @Override
  public void recordTask(TaskExecution t) {
    tasks.write(Objects.requireNonNull(t, "task"));
  }

  private static void upsertTasks(org.jdbi.v3.core.Handle h, List<TaskExecution> all) {
    PreparedBatch batch =
        h.prepareBatch(
            "INSERT INTO task_executions ("
                + TASK_COLUMNS
                + ") VALUES (:id, :operation, :status, :started, :finished, :ms, :detail)"
                + " ON CONFLICT (id) DO UPDATE SET operation = excluded.operation,"
                + " status = excluded.status, started_at = excluded.started_at,"
                + " finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,"
                + " detail_json = excluded.detail_json");
    for (TaskExecution t : all) {
      batch
          .bind("id", t.id())
          .bind("operation", t.operation())
          .bind("status", t.status())
          .bind("started", t.startedAt().toEpochMilli())
          .bind("finished", t.finishedAt().toEpochMilli())
          .bind("ms", t.durationMs())
          .bind("detail", t.detailJson())
          .add();
    }
    batch.execute();
  }

  @Override
  public void recordMetrics(List<PerformanceMetric> metrics) {
    Objects.requireNonNull(metrics, "metrics");
    if (metrics.isEmpty()) {
      return;
    }
    db.useTransaction(
        h -> {
          PreparedBatch batch =
              h.prepareBatch(
                  "INSERT INTO performance_metrics (name, value, unit, labels_json, recorded_at)"
                      + " VALUES (:name, :value, :unit, :labels, :at)");
          for (PerformanceMetric m : metrics) {
            batch
                .bind("name", m.name())
                .bind("value", m.value())
                .bind("unit", m.unit())
                .bind("labels", labelsJson(m.labels()))
                .bind("at", m.recordedAt().toEpochMilli())
                .add();
          }
          batch.execute();
        });
  }

  @Override
  public List<TaskExecution> recentTasks(int limit) {
    Limits.check(limit);
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + TASK_COLUMNS
                        + " FROM task_executions ORDER BY started_at DESC, rowid DESC LIMIT :n")
                .bind("n", limit)
                .map(SqlOperationsStore::task)
                .list());
  }

  @Override
  public List<PerformanceMetric> recentMetrics(String name, int limit) {
    Objects.requireNonNull(name, "name");
    Limits.check(limit);
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT name, value, unit, labels_json, recorded_at FROM performance_metrics"
                        + " WHERE name = :name ORDER BY recorded_at DESC, id DESC LIMIT :n")
                .bind("name", name)
                .bind("n", limit)
                .map(SqlOperationsStore::metric)
                .list());
  }

  private static TaskExecution task(ResultSet rs, StatementContext ctx) throws SQLException {
    return new TaskExecution(
        rs.getString("id"),
        rs.getString("operation"),
        rs.getString("status"),
        Instant.ofEpochMilli(rs.getLong("started_at")),
        Instant.ofEpochMilli(rs.getLong("finished_at")),
        rs.getLong("duration_ms"),
        rs.getString("detail_json"));
  }

  private static PerformanceMetric metric(ResultSet rs, StatementContext ctx) throws SQLException {
    Map<String, String> labels;
    try {
      labels = JSON.readValue(rs.getString("labels_json"), LABELS);
    } catch (JsonProcessingException e) {
      throw new SQLException("performance_metrics.labels_json is not a JSON object", e);
    }
    return new PerformanceMetric(
        rs.getString("name"),
        rs.getDouble("value"),
        rs.getString("unit"),
        labels,
        Instant.ofEpochMilli(rs.getLong("recorded_at")));
  }

  private static String labelsJson(Map<String, String> labels) {
    try {
      return JSON.writeValueAsString(labels);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always serializes", e);
    }
  }
}
