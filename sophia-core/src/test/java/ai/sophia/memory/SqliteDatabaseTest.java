package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.StorageException;
import ai.sophia.health.HealthStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest {
  @TempDir Path dir;

  @Test
  void open_missingDataDir_createsFileAtLatestSchema() {
    Path dataDir = dir.resolve("nested/data");
    try (SqliteDatabase db = SqliteDatabase.open(dataDir)) {
      assertThat(db.file()).isEqualTo(dataDir.resolve("sophia.db")).exists();
      assertThat(db.schemaVersion()).isEqualTo(Migrations.SCRIPTS.size());
      List<String> tables =
          db.withHandle(
              h ->
                  h.createQuery("SELECT name FROM sqlite_master WHERE type = 'table'")
                      .mapTo(String.class)
                      .list());
      assertThat(tables)
          .contains(
              "schema_version",
              "api_keys",
              "research_results",
              "documents",
              "task_executions",
              "performance_metrics");
    }
  }

  @Test
  void open_anyConnection_hasWalForeignKeysAndBusyTimeout() {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      db.useHandle(
          h -> {
            assertThat(h.createQuery("PRAGMA journal_mode").mapTo(String.class).one())
                .isEqualTo("wal");
            assertThat(h.createQuery("PRAGMA foreign_keys").mapTo(Integer.class).one())
                .isEqualTo(1);
            assertThat(h.createQuery("PRAGMA busy_timeout").mapTo(Integer.class).one())
                .isEqualTo(5000);
            assertThat(h.createQuery("PRAGMA synchronous").mapTo(Integer.class).one())
                .isEqualTo(1); // NORMAL
          });
    }
  }

  @Test
  void open_reopened_appliesEachMigrationOnce() {
    SqliteDatabase.open(dir).close();
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      List<Integer> versions =
          db.withHandle(
              h ->
                  h.createQuery("SELECT version FROM schema_version ORDER BY version")
                      .mapTo(Integer.class)
                      .list());
      assertThat(versions).hasSize(Migrations.SCRIPTS.size()).doesNotHaveDuplicates();
    }
  }

  @Test
  void open_schemaNewerThanCode_refusesNamingVersions() {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      db.useHandle(h -> h.execute("INSERT INTO schema_version VALUES (99, 'from_the_future', 0)"));
    }
    assertThatThrownBy(() -> SqliteDatabase.open(dir))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("version 99")
        .hasMessageContaining("newer Sophia");
  }

  @Test
  void migrations_listedScripts_matchFolderContents() throws Exception {
    Path folder =
        Path.of(Migrations.class.getClassLoader().getResource(Migrations.DIRECTORY).toURI());
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(Migrations.SCRIPTS);
    }
  }

  @Test
  void withHandle_badSql_throwsStorageExceptionWithoutStatement() {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      assertThatThrownBy(() -> db.useHandle(h -> h.execute("SELECT * FROM no_such_table")))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("no such table")
          .hasMessageNotContaining("SELECT");
    }
  }

  @Test
  void useTransaction_throwingCallback_rollsBack() {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      assertThatThrownBy(
              () ->
                  db.useTransaction(
                      h -> {
                        h.execute(
                            "INSERT INTO task_executions VALUES ('t1', 'op', 'ok', 0, 0, 0, '{}')");
                        throw new IllegalStateException("boom");
                      }))
          .hasMessage("boom");
      long rows =
          db.withHandle(
              h -> h.createQuery("SELECT COUNT(*) FROM task_executions").mapTo(Long.class).one());
      assertThat(rows).isZero();
    }
  }

  @Test
  void open_twoInstancesWritingAtOnce_noWriteIsLost() throws Exception {
    // Two instances on one file stand in for a server and a CLI: separate connections that
    // contend for SQLite's file lock the same way two processes do.
    try (SqliteDatabase first = SqliteDatabase.open(dir);
        SqliteDatabase second = SqliteDatabase.open(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<?>> writers = new ArrayList<>();
      for (SqliteDatabase db : List.of(first, second, first, second)) {
        OperationsStore ops = new SqlOperationsStore(db);
        writers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    ops.recordMetrics(
                        List.of(
                            new PerformanceMetric("m", i, "ms", Map.of(), Instant.now()),
                            new PerformanceMetric("m", i, "ms", Map.of(), Instant.now())));
                  }
                }));
      }
      for (Future<?> writer : writers) {
        writer.get();
      }
      long rows =
          first.withHandle(
              h ->
                  h.createQuery("SELECT COUNT(*) FROM performance_metrics")
                      .mapTo(Long.class)
                      .one());
      assertThat(rows).isEqualTo(4 * 50 * 2);
    }
  }

  @Test
  void open_anotherProcessWritingAtOnce_noWriteIsLost() throws Exception {
    SqliteDatabase.open(dir).close(); // migrate first, so the two processes race on writes only
    Path log = Files.createTempFile("writer", ".log");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SqliteWriterProcess.class.getName(),
                dir.toString(),
                "100")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      OperationsStore ops = new SqlOperationsStore(db);
      int written = 0;
      // Keep writing for the child's whole life so that its writes overlap ours.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (child.isAlive() && System.nanoTime() < deadline) {
        ops.recordMetrics(
            List.of(
                new PerformanceMetric("parent", written, "ms", Map.of(), Instant.now()),
                new PerformanceMetric("parent", written, "ms", Map.of(), Instant.now())));
        written++;
      }
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as(Files.readString(log)).isZero();
      assertThat(metricRows(db, "parent")).isEqualTo(2L * written);
      assertThat(metricRows(db, "child")).isEqualTo(200);
    } finally {
      child.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  private static long metricRows(SqliteDatabase db, String name) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT COUNT(*) FROM performance_metrics WHERE name = :name")
                .bind("name", name)
                .mapTo(Long.class)
                .one());
  }

  @Test
  void healthCheck_openDatabase_upWithSchemaVersion() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      HealthStatus status = db.healthCheck().check();
      assertThat(status.state()).isEqualTo(HealthStatus.State.up);
      assertThat(status.facts()).containsEntry("schema_version", Migrations.SCRIPTS.size());
      assertThat(db.healthCheck().name()).isEqualTo("store");
    }
  }

  @Test
  void healthCheck_closedDatabase_throws() {
    SqliteDatabase db = SqliteDatabase.open(dir);
    db.close();
    assertThatThrownBy(() -> db.healthCheck().check()).isInstanceOf(StorageException.class);
  }
}
