package ai.sophia.agent;

import ai.sophia.memory.Database;
import ai.sophia.memory.GroupCommit;
import ai.sophia.security.FieldCipher;
import ai.sophia.security.SealedColumns;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** {@link AgentRunStore} in the {@code agent_runs} table. */
public final class SqlAgentRunStore implements AgentRunStore {
  private static final String COLUMNS =
      "id, agent, session_id, api_key_id, status, mode, input, output, transcript_json,"
          + " created_at, updated_at";

  private final Database db;
  // Thousands of runs saving at once share one transaction per batch, each still durable on
  // return, instead of queueing one by one for the database's writer.
  private final GroupCommit<StoredRun> saves;

  public SqlAgentRunStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
    this.saves = new GroupCommit<>(db, this::upsert);
  }

  @Override
  public void save(StoredRun r) {
    saves.write(Objects.requireNonNull(r, "run"));
  }

  private void upsert(Handle h, List<StoredRun> runs) {
    FieldCipher cipher = db.cipher();
    PreparedBatch batch =
        h.prepareBatch(
            "INSERT INTO agent_runs ("
                + COLUMNS
                + ") VALUES (:id, :agent, :session, :key, :status, :mode, :input, :output,"
                + " :transcript, :created, :updated) ON CONFLICT (id) DO UPDATE SET"
                + " agent = excluded.agent, session_id = excluded.session_id,"
                + " api_key_id = excluded.api_key_id, status = excluded.status,"
                + " mode = excluded.mode, input = excluded.input, output = excluded.output,"
                + " transcript_json = excluded.transcript_json,"
                + " created_at = excluded.created_at, updated_at = excluded.updated_at");
    for (StoredRun r : runs) {
      batch
          .bind("id", r.id())
          .bind("agent", r.agent())
          .bind("session", r.sessionId())
          .bind("key", r.apiKeyId())
          .bind("status", r.status().name())
          .bind("mode", r.mode())
          .bind("input", cipher.seal(SealedColumns.RUN_INPUT.id(), r.input()))
          .bind("output", cipher.seal(SealedColumns.RUN_OUTPUT.id(), r.output()))
          .bind("transcript", cipher.seal(SealedColumns.RUN_TRANSCRIPT.id(), r.transcriptJson()))
          .bind("created", r.createdAt().toEpochMilli())
          .bind("updated", r.updatedAt().toEpochMilli())
          .add();
    }
    batch.execute();
  }

  @Override
  public Optional<StoredRun> find(String id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT " + COLUMNS + " FROM agent_runs WHERE id = :id LIMIT 1")
                .bind("id", id)
                .map((rs, ctx) -> row(rs, db.cipher()))
                .findOne());
  }

  @Override
  public List<StoredRun> recent(int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM agent_runs ORDER BY created_at DESC, rowid DESC LIMIT :limit")
                .bind("limit", Math.max(1, Math.min(limit, 1000)))
                .map((rs, ctx) -> row(rs, db.cipher()))
                .list());
  }

  private static StoredRun row(ResultSet rs, FieldCipher cipher) throws SQLException {
    String session = rs.getString("session_id");
    String output = cipher.open(SealedColumns.RUN_OUTPUT.id(), rs.getString("output"));
    return new StoredRun(
        rs.getString("id"),
        rs.getString("agent"),
        session == null ? "" : session,
        rs.getString("api_key_id"),
        RunStatus.valueOf(rs.getString("status")),
        rs.getString("mode"),
        cipher.open(SealedColumns.RUN_INPUT.id(), rs.getString("input")),
        output == null ? "" : output,
        cipher.open(SealedColumns.RUN_TRANSCRIPT.id(), rs.getString("transcript_json")),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")));
  }
}
