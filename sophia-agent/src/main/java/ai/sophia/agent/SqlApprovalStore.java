package ai.sophia.agent;

import ai.sophia.memory.Database;
import ai.sophia.security.FieldCipher;
import ai.sophia.security.SealedColumns;
import ai.sophia.tool.Risk;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link ApprovalStore} in the {@code approvals} table. */
public final class SqlApprovalStore implements ApprovalStore {
  private static final String COLUMNS =
      "id, run_id, agent, tool, risk, arguments_json, status, requested_at, decided_by, reason";

  private final Database db;

  public SqlApprovalStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public void insert(Approval a) {
    db.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO approvals (id, run_id, agent, tool, risk, arguments_json, status,"
                        + " requested_at) VALUES (:id, :run, :agent, :tool, :risk, :args, :status,"
                        + " :at)")
                .bind("id", a.id())
                .bind("run", a.runId())
                .bind("agent", a.agent())
                .bind("tool", a.tool())
                .bind("risk", a.risk().name())
                .bind(
                    "args",
                    db.cipher().seal(SealedColumns.APPROVAL_ARGUMENTS.id(), a.argumentsJson()))
                .bind("status", a.status())
                .bind("at", a.requestedAt().toEpochMilli())
                .execute());
  }

  @Override
  public Optional<Approval> find(String id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT " + COLUMNS + " FROM approvals WHERE id = :id LIMIT 1")
                .bind("id", id)
                .map((rs, ctx) -> row(rs, db.cipher()))
                .findOne());
  }

  @Override
  public boolean settle(String id, String status, String decidedBy, String reason, Instant at) {
    return db.withHandle(
            h ->
                h.createUpdate(
                        "UPDATE approvals SET status = :status, decided_by = :by, reason = :reason,"
                            + " decided_at = :at WHERE id = :id AND status = 'pending'")
                    .bind("status", status)
                    .bind("by", decidedBy)
                    .bind("reason", reason)
                    .bind("at", at.toEpochMilli())
                    .bind("id", id)
                    .execute())
        == 1;
  }

  @Override
  public List<Approval> pending(int limit) {
    return list("status = 'pending'", "", limit);
  }

  @Override
  public List<Approval> forRun(String runId, int limit) {
    return list("run_id = :run", runId, limit);
  }

  private List<Approval> list(String where, String runId, int limit) {
    return db.withHandle(
        h -> {
          var query =
              h.createQuery(
                      "SELECT "
                          + COLUMNS
                          + " FROM approvals WHERE "
                          + where
                          + " ORDER BY requested_at, rowid LIMIT :limit")
                  .bind("limit", Math.max(1, Math.min(limit, 1000)));
          if (!runId.isEmpty()) {
            query.bind("run", runId);
          }
          return query.map((rs, ctx) -> row(rs, db.cipher())).list();
        });
  }

  private static Approval row(ResultSet rs, FieldCipher cipher) throws SQLException {
    return new Approval(
        rs.getString("id"),
        rs.getString("run_id"),
        rs.getString("agent"),
        rs.getString("tool"),
        Risk.valueOf(rs.getString("risk")),
        cipher.open(SealedColumns.APPROVAL_ARGUMENTS.id(), rs.getString("arguments_json")),
        rs.getString("status"),
        Instant.ofEpochMilli(rs.getLong("requested_at")),
        rs.getString("decided_by"),
        rs.getString("reason"));
  }
}
