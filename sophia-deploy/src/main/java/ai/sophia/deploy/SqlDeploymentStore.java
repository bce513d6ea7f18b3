package ai.sophia.deploy;

import ai.sophia.memory.Database;
import ai.sophia.security.SealedColumns;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link DeploymentStore} in the {@code deployments} and {@code deployment_events} tables. */
public final class SqlDeploymentStore implements DeploymentStore {
  private static final int MAX_ROWS = 1000;
  private static final String COLUMNS =
      "id, target, target_type, environment, strategy, version, previous_version, requested_by,"
          + " status, detail, url, idempotency_key, rollback_of, owner, pid, pid_started_at, port,"
          + " created_at, updated_at, finished_at";

  private final Database db;

  public SqlDeploymentStore(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  @Override
  public boolean insert(Deployment d) {
    try {
      db.useHandle(
          h ->
              h.createUpdate(
                      "INSERT INTO deployments ("
                          + COLUMNS
                          + ") VALUES (:id, :target, :type, :env, :strategy, :version, :previous,"
                          + " :by, :status, :detail, :url, :key, :rollbackOf, :owner, :pid,"
                          + " :pidStart, :port, :created, :updated, :finished)")
                  .bind("id", d.id())
                  .bind("target", d.target())
                  .bind("type", d.targetType())
                  .bind("env", d.environment())
                  .bind("strategy", d.strategy())
                  .bind("version", d.version())
                  .bind("previous", d.previousVersion())
                  .bind("by", d.requestedBy())
                  .bind("status", d.status().name())
                  .bind("detail", d.detail())
                  .bind("url", d.url())
                  .bind("key", d.idempotencyKey())
                  .bind("rollbackOf", d.rollbackOf())
                  .bind("owner", d.owner())
                  .bind("pid", d.pid())
                  .bind("pidStart", d.pidStartedAt())
                  .bind("port", d.port())
                  .bind("created", d.createdAt().toEpochMilli())
                  .bind("updated", d.updatedAt().toEpochMilli())
                  .bind("finished", d.finishedAt().toEpochMilli())
                  .execute());
      return true;
    } catch (RuntimeException e) {
      if (db.uniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public void update(Deployment d) {
    db.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE deployments SET status = :status, detail = :detail, url = :url,"
                        + " previous_version = :previous, pid = :pid, pid_started_at = :pidStart,"
                        + " port = :port, updated_at = :updated, finished_at = :finished"
                        + " WHERE id = :id")
                .bind("status", d.status().name())
                .bind("detail", d.detail())
                .bind("url", d.url())
                .bind("previous", d.previousVersion())
                .bind("pid", d.pid())
                .bind("pidStart", d.pidStartedAt())
                .bind("port", d.port())
                .bind("updated", d.updatedAt().toEpochMilli())
                .bind("finished", d.finishedAt().toEpochMilli())
                .bind("id", d.id())
                .execute());
  }

  @Override
  public Optional<Deployment> find(String id) {
    return one("id = :v", id);
  }

  @Override
  public Optional<Deployment> findByIdempotencyKey(String key) {
    return key.isEmpty() ? Optional.empty() : one("idempotency_key = :v", key);
  }

  @Override
  public Optional<Deployment> active(String target) {
    return one("target = :v AND status IN ('requested', 'running')", target);
  }

  @Override
  public Optional<Deployment> lastHealthy(String target, Instant before) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM deployments WHERE target = :t AND status = 'healthy' AND"
                        + " created_at < :before ORDER BY created_at DESC LIMIT 1")
                .bind("t", target)
                .bind("before", before.toEpochMilli())
                .map((rs, ctx) -> row(rs))
                .findOne());
  }

  @Override
  public List<Deployment> history(String target, int limit) {
    return db.withHandle(
        h -> {
          var q =
              h.createQuery(
                      "SELECT "
                          + COLUMNS
                          + " FROM deployments"
                          + (target.isEmpty() ? "" : " WHERE target = :t")
                          + " ORDER BY created_at DESC, id LIMIT :limit")
                  .bind("limit", bound(limit));
          if (!target.isEmpty()) {
            q.bind("t", target);
          }
          return q.map((rs, ctx) -> row(rs)).list();
        });
  }

  @Override
  public List<Deployment> unfinished(int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM deployments WHERE status IN ('requested', 'running')"
                        + " ORDER BY created_at LIMIT :limit")
                .bind("limit", bound(limit))
                .map((rs, ctx) -> row(rs))
                .list());
  }

  @Override
  public void appendEvent(String deploymentId, DeployEvent e) {
    db.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO deployment_events (deployment_id, seq, at, kind, text, detail)"
                        + " VALUES (:id, :seq, :at, :kind, :text, :detail)")
                .bind("id", deploymentId)
                .bind("seq", e.seq())
                .bind("at", e.at().toEpochMilli())
                .bind("kind", e.kind())
                .bind("text", db.cipher().seal(SealedColumns.DEPLOYMENT_LOG.id(), e.text()))
                .bind("detail", e.detail())
                .execute());
  }

  @Override
  public List<DeployEvent> events(String deploymentId, long after, int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT seq, at, kind, text, detail FROM deployment_events"
                        + " WHERE deployment_id = :id AND seq > :after ORDER BY seq LIMIT :limit")
                .bind("id", deploymentId)
                .bind("after", after)
                .bind("limit", Math.max(1, Math.min(limit, 100_000)))
                .map(
                    (rs, ctx) ->
                        new DeployEvent(
                            rs.getLong("seq"),
                            Instant.ofEpochMilli(rs.getLong("at")),
                            rs.getString("kind"),
                            db.cipher()
                                .open(SealedColumns.DEPLOYMENT_LOG.id(), rs.getString("text")),
                            rs.getString("detail")))
                .list());
  }

  private Optional<Deployment> one(String where, String value) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM deployments WHERE "
                        + where
                        + " ORDER BY created_at DESC LIMIT 1")
                .bind("v", value)
                .map((rs, ctx) -> row(rs))
                .findOne());
  }

  private static int bound(int limit) {
    return Math.max(1, Math.min(limit, MAX_ROWS));
  }

  private static Deployment row(ResultSet rs) throws SQLException {
    return new Deployment(
        rs.getString("id"),
        rs.getString("target"),
        rs.getString("target_type"),
        rs.getString("environment"),
        rs.getString("strategy"),
        rs.getString("version"),
        rs.getString("previous_version"),
        rs.getString("requested_by"),
        DeploymentStatus.valueOf(rs.getString("status")),
        rs.getString("detail"),
        rs.getString("url"),
        rs.getString("idempotency_key"),
        rs.getString("rollback_of"),
        rs.getString("owner"),
        rs.getLong("pid"),
        rs.getLong("pid_started_at"),
        rs.getInt("port"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        Instant.ofEpochMilli(rs.getLong("finished_at")));
  }
}
