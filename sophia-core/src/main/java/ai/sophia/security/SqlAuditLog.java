package ai.sophia.security;

import ai.sophia.memory.Database;
import ai.sophia.memory.GroupCommit;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * {@link AuditLog} in the {@code audit_log} table, with the chain's end in {@code audit_head}.
 * Appends of concurrent requests share a transaction (group commit); each transaction first updates
 * the head row, which serializes appenders across processes on both backends (SQLite's single
 * writer, PostgreSQL's row lock), so the chain never forks. Triggers refuse UPDATE and DELETE on
 * the log itself; the chain is what detects a change made around them.
 */
public final class SqlAuditLog implements AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS =
      "seq, at, actor_id, actor_name, actor_role, action, target, source, status, outcome,"
          + " request_id, prev_hash, hash";
  private static final int MAX_LIMIT = 1000;

  /** One queued append and, once applied, the entry as chained. */
  private static final class Append {
    final AuditEntry event;
    AuditEntry chained;

    Append(AuditEntry event) {
      this.event = event;
    }
  }

  private final Database db;
  private final GroupCommit<Append> appends;

  public SqlAuditLog(Database db) {
    this.db = Objects.requireNonNull(db, "db");
    this.appends = new GroupCommit<>(db, SqlAuditLog::appendAll);
  }

  @Override
  public AuditEntry append(AuditEntry event) {
    Append a = new Append(Objects.requireNonNull(event, "event"));
    appends.write(a);
    return a.chained;
  }

  private static void appendAll(Handle h, List<Append> all) {
    // Taking the head row first makes this transaction the chain's only writer until it ends.
    h.execute("UPDATE audit_head SET seq = seq WHERE id = 1");
    ChainEnd head =
        h.createQuery("SELECT seq, hash FROM audit_head WHERE id = 1")
            .map((rs, ctx) -> new ChainEnd(rs.getLong("seq"), rs.getString("hash")))
            .one();
    long seq = head.seq();
    String prev = head.hash();
    PreparedBatch rows =
        h.prepareBatch(
            "INSERT INTO audit_log ("
                + COLUMNS
                + ") VALUES (:seq, :at, :actor_id, :actor_name, :actor_role, :action, :target,"
                + " :source, :status, :outcome, :request_id, :prev_hash, :hash)");
    for (Append a : all) {
      seq++;
      AuditEntry e = a.event.chained(seq, prev, "");
      e = e.chained(seq, prev, hash(e));
      a.chained = e;
      prev = e.hash();
      rows.bind("seq", e.seq())
          .bind("at", e.at().toEpochMilli())
          .bind("actor_id", e.actorId())
          .bind("actor_name", e.actorName())
          .bind("actor_role", e.actorRole())
          .bind("action", e.action())
          .bind("target", e.target())
          .bind("source", e.source())
          .bind("status", e.status())
          .bind("outcome", e.outcome().name())
          .bind("request_id", e.requestId())
          .bind("prev_hash", e.prevHash())
          .bind("hash", e.hash())
          .add();
    }
    rows.execute();
    h.createUpdate("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1")
        .bind("seq", seq)
        .bind("hash", prev)
        .execute();
  }

  @Override
  public List<AuditEntry> recent(int limit, long beforeSeq) {
    int bounded = Math.max(1, Math.min(limit, MAX_LIMIT));
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM audit_log WHERE (:before <= 0 OR seq < :before)"
                        + " ORDER BY seq DESC LIMIT :limit")
                .bind("before", beforeSeq)
                .bind("limit", bounded)
                .map((rs, ctx) -> row(rs))
                .list());
  }

  @Override
  public void forEach(Consumer<AuditEntry> each) {
    db.useHandle(
        h -> {
          try (var rows =
              h
                  .createQuery("SELECT " + COLUMNS + " FROM audit_log ORDER BY seq")
                  .setFetchSize(500)
                  .map((rs, ctx) -> row(rs))
                  .stream()) {
            rows.forEach(each);
          }
        });
  }

  @Override
  public Verification verify() {
    ChainCheck check = new ChainCheck();
    forEach(check);
    if (check.broken == null) {
      var head =
          db.withHandle(
              h ->
                  h.createQuery("SELECT seq, hash FROM audit_head WHERE id = 1")
                      .map((rs, ctx) -> new ChainEnd(rs.getLong("seq"), rs.getString("hash")))
                      .one());
      if (head.seq() != check.count || !head.hash().equals(check.last)) {
        check.broken =
            new Break(
                Math.min(head.seq(), check.count) + 1,
                "the log ends at entry "
                    + check.count
                    + " but its head records entry "
                    + head.seq()
                    + ": entries were removed from the end");
      }
    }
    return new Verification(check.count, check.last, Optional.ofNullable(check.broken));
  }

  private record ChainEnd(long seq, String hash) {}

  /** Follows the chain entry by entry and keeps the first break. */
  private static final class ChainCheck implements Consumer<AuditEntry> {
    long count;
    String last = "";
    Break broken;

    @Override
    public void accept(AuditEntry e) {
      if (broken != null) {
        return;
      }
      long expected = count + 1;
      if (e.seq() != expected) {
        broken = new Break(expected, "entry " + expected + " is missing (next is " + e.seq() + ")");
      } else if (!e.prevHash().equals(last)) {
        broken = new Break(e.seq(), "its previous hash does not match entry " + (e.seq() - 1));
      } else if (!hash(e).equals(e.hash())) {
        broken = new Break(e.seq(), "its content does not match its hash");
      }
      count = e.seq();
      last = e.hash();
    }
  }

  /** SHA-256 over the entry's fields and its previous hash, as one JSON array. */
  static String hash(AuditEntry e) {
    try {
      byte[] canonical =
          JSON.writeValueAsString(
                  List.of(
                      e.seq(),
                      e.at().toEpochMilli(),
                      e.actorId(),
                      e.actorName(),
                      e.actorRole(),
                      e.action(),
                      e.target(),
                      e.source(),
                      e.status(),
                      e.outcome().name(),
                      e.requestId(),
                      e.prevHash()))
              .getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (JsonProcessingException | NoSuchAlgorithmException ex) {
      throw new IllegalStateException("cannot hash an audit entry: " + ex.getMessage(), ex);
    }
  }

  private static AuditEntry row(ResultSet rs) throws SQLException {
    return new AuditEntry(
        rs.getLong("seq"),
        Instant.ofEpochMilli(rs.getLong("at")),
        rs.getString("actor_id"),
        rs.getString("actor_name"),
        rs.getString("actor_role"),
        rs.getString("action"),
        rs.getString("target"),
        rs.getString("source"),
        rs.getInt("status"),
        AuditEntry.Outcome.valueOf(rs.getString("outcome")),
        rs.getString("request_id"),
        rs.getString("prev_hash"),
        rs.getString("hash"));
  }
}
