package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.StorageException;
import ai.sophia.health.HealthStatus;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PostgreSQL backend itself: migrations, the schema SQLite has, health, unique violations. */
class PostgresDatabaseTest {
  @TempDir Path dir;

  @Test
  void open_freshDatabase_hasSqlitesTablesColumnsAndIndexes() {
    try (SqliteDatabase sqlite = SqliteDatabase.open(dir);
        PostgresDatabase postgres = TestPostgres.open("schema_check")) {
      assertThat(postgres.schemaVersion()).isEqualTo(sqlite.schemaVersion());
      assertThat(postgres.withHandle(PostgresDatabaseTest::postgresColumns))
          .isEqualTo(sqlite.withHandle(PostgresDatabaseTest::sqliteColumns))
          .contains("deployments.idempotency_key", "swarm_runs.lease_until");
      assertThat(postgres.withHandle(PostgresDatabaseTest::postgresIndexes))
          .isEqualTo(sqlite.withHandle(PostgresDatabaseTest::sqliteIndexes))
          .contains("unique deployments_one_active", "documents_collection_hash");
    }
  }

  @Test
  void open_twice_migratesOnceAndReportsHealthWithoutThePassword() throws Exception {
    TestPostgres.open("reopened").close();
    try (PostgresDatabase db = TestPostgres.open("reopened")) {
      HealthStatus health = db.healthCheck().check();

      assertThat(health.toString()).contains("postgresql").doesNotContain(TestPostgres.PASSWORD);
      assertThat(health.facts()).containsEntry("schema_version", Migrations.SCRIPTS.size());
      int applied =
          db.withHandle(
              h ->
                  h.createQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE success")
                      .mapTo(Integer.class)
                      .one());
      assertThat(applied).isEqualTo(Migrations.SCRIPTS.size());
    }
  }

  @Test
  void uniqueViolation_duplicateKey_recognisedAndOtherFailuresNot() {
    try (PostgresDatabase db = TestPostgres.open("violations")) {
      String insert =
          "INSERT INTO agent_sessions (id, agent, api_key_id, created_at, updated_at)"
              + " VALUES ('ses_1', 'a', 'k', 0, 0)";
      db.useHandle(h -> h.execute(insert));

      assertThatThrownBy(() -> db.useHandle(h -> h.execute(insert)))
          .isInstanceOf(StorageException.class)
          .satisfies(e -> assertThat(db.uniqueViolation(e)).isTrue())
          .hasMessageContaining(TestPostgres.get().url("violations"))
          .hasMessageNotContaining("ses_1"); // no DETAIL line quoting the row
      assertThatThrownBy(() -> db.useHandle(h -> h.execute("SELECT * FROM no_such_table")))
          .satisfies(e -> assertThat(db.uniqueViolation(e)).isFalse());
    }
  }

  private static Set<String> sqliteColumns(Handle h) {
    return strings(
        h,
        "SELECT m.name || '.' || c.name FROM sqlite_master m, pragma_table_info(m.name) c"
            + " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
            + " AND m.name <> 'schema_version'");
  }

  /** Without the rowid columns that stand for SQLite's implicit rowid. */
  private static Set<String> postgresColumns(Handle h) {
    return strings(
        h,
        "SELECT table_name || '.' || column_name FROM information_schema.columns"
            + " WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history'"
            + " AND column_name <> 'rowid'");
  }

  /** The indexes the scripts name (not those behind keys), with "unique " when they are. */
  private static Set<String> sqliteIndexes(Handle h) {
    return strings(
        h,
        "SELECT CASE WHEN sql LIKE 'CREATE UNIQUE%' THEN 'unique ' ELSE '' END || name"
            + " FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL");
  }

  private static Set<String> postgresIndexes(Handle h) {
    return strings(
        h,
        "SELECT CASE WHEN i.indisunique THEN 'unique ' ELSE '' END || c.relname"
            + " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = 'public' AND c.relname NOT LIKE 'flyway%' AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
            + " WHERE k.conindid = i.indexrelid)");
  }

  private static Set<String> strings(Handle h, String sql) {
    return new TreeSet<>(h.createQuery(sql).mapTo(String.class).list());
  }

  @Test
  void listen_signalledInACommittedTransaction_payloadArrivesOnce_rolledBackNever()
      throws Exception {
    try (PostgresDatabase db = TestPostgres.open("signals")) {
      java.util.concurrent.BlockingQueue<String> got =
          new java.util.concurrent.LinkedBlockingQueue<>();
      AutoCloseable listening = db.listen("sophia_test", got::add).orElseThrow();
      try {
        // "" first: the listener is connected, and says it may have missed something.
        assertThat(got.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
        try {
          db.useTransaction(
              h -> {
                db.signal(h, "sophia_test", java.util.List.of("rolled-back"));
                throw new IllegalStateException("roll back");
              });
        } catch (IllegalStateException expected) {
          // the NOTIFY goes with the transaction
        }
        db.useTransaction(h -> db.signal(h, "sophia_test", java.util.List.of("e:1", "e:2", "e:1")));

        assertThat(got.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("e:1");
        assertThat(got.poll(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("e:2");
        assertThat(got.poll(700, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
      } finally {
        listening.close();
      }
    }
  }
}
