package ai.sophia.agent;

import ai.sophia.memory.Database;
import ai.sophia.memory.EventTable;
import ai.sophia.memory.GroupCommit;
import ai.sophia.memory.LeaseTable;
import ai.sophia.security.FieldCipher;
import ai.sophia.security.SealedColumns;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** {@link AgentRunStore} in the {@code agent_runs} table. */
public final class SqlAgentRunStore implements AgentRunStore {
  private static final String COLUMNS =
      "id, agent, session_id, api_key_id, status, mode, input, output, transcript_json,"
          + " created_at, updated_at, owner, lease_until, request_json, trace_id";
  private static final String UNFINISHED = "('running', 'waiting_approval')";
  private static final LeaseTable LEASES = new LeaseTable("agent_runs", UNFINISHED);
  private static final EventTable EVENTS = new EventTable("agent_run_events");

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
                + " :transcript, :created, :updated, :owner, :lease, :request, :trace)"
                + " ON CONFLICT (id) DO UPDATE SET"
                + " agent = excluded.agent, session_id = excluded.session_id,"
                + " api_key_id = excluded.api_key_id, status = excluded.status,"
                + " mode = excluded.mode, input = excluded.input, output = excluded.output,"
                + " transcript_json = excluded.transcript_json,"
                + " updated_at = excluded.updated_at, request_json = excluded.request_json,"
                + " trace_id = excluded.trace_id"
                // The fence: a node that lost the run to another writes nothing more.
                + " WHERE agent_runs.owner = excluded.owner");
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
          .bind("owner", r.owner())
          .bind("lease", r.leaseUntil().toEpochMilli())
          .bind("request", r.requestJson())
          .bind("trace", r.traceId() == null ? "" : r.traceId())
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

  @Override
  public boolean claim(
      String runId, String owner, Instant now, Instant leaseUntil, Predicate<String> gone) {
    return db.withTransaction(
        h -> {
          Optional<Map.Entry<String, Long>> holder =
              h.createQuery(
                      "SELECT owner, lease_until FROM agent_runs WHERE id = :id AND status IN "
                          + UNFINISHED)
                  .bind("id", runId)
                  .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                  .findOne();
          if (holder.isEmpty()) {
            return false;
          }
          String current = holder.get().getKey();
          long lease = holder.get().getValue();
          if (!current.equals(owner) && lease >= now.toEpochMilli() && !gone.test(current)) {
            return false;
          }
          // Compare and set: of two claimers reading the same holder, one updates the row.
          return h.createUpdate(
                      "UPDATE agent_runs SET owner = :owner, lease_until = :lease WHERE id = :id"
                          + " AND owner = :current AND lease_until = :was AND status IN "
                          + UNFINISHED)
                  .bind("id", runId)
                  .bind("owner", owner)
                  .bind("lease", leaseUntil.toEpochMilli())
                  .bind("current", current)
                  .bind("was", lease)
                  .execute()
              == 1;
        });
  }

  @Override
  public Set<String> renew(String owner, Instant leaseUntil) {
    return db.withTransaction(h -> LEASES.renew(h, owner, leaseUntil));
  }

  @Override
  public List<StoredRun> orphaned(String self, Instant now, Predicate<String> gone, int limit) {
    return db.withHandle(
        h ->
            LEASES
                .orphaned(h, COLUMNS, self, now, gone, limit)
                .map((rs, ctx) -> row(rs, db.cipher()))
                .list());
  }

  @Override
  public void release(String owner) {
    db.useTransaction(
        h ->
            h.createUpdate(
                    "UPDATE agent_runs SET lease_until = 0 WHERE owner = :owner AND status IN "
                        + UNFINISHED)
                .bind("owner", owner)
                .execute());
  }

  @Override
  public boolean requestCancel(String runId, String by) {
    return db.withTransaction(h -> LEASES.requestCancel(h, runId, by));
  }

  @Override
  public Map<String, String> cancelRequests(String owner) {
    return db.withHandle(h -> LEASES.cancelRequests(h, owner));
  }

  /** The notification channel (PostgreSQL) of appended events; the payload is the run id. */
  private static final String CHANNEL = "sophia_agent_events";

  @Override
  public Set<String> appendEvents(String owner, List<StoredEvent> events) {
    if (events.isEmpty()) {
      return Set.of();
    }
    FieldCipher cipher = db.cipher();
    return db.withTransaction(
        h -> {
          // The fence, in run id order so that two writers lock rows in the same order: the update
          // locks the row (PostgreSQL) against a claim until this commits.
          Set<String> runs = new TreeSet<>();
          events.forEach(e -> runs.add(e.runId()));
          Set<String> refused = new HashSet<>();
          PreparedBatch fence =
              h.prepareBatch(
                  "UPDATE agent_runs SET owner = owner WHERE id = :id AND owner = :owner");
          runs.forEach(id -> fence.bind("id", id).bind("owner", owner).add());
          int[] held = fence.execute();
          int i = 0;
          for (String id : runs) {
            if (held[i++] == 0) {
              refused.add(id);
            }
          }
          PreparedBatch insert =
              h.prepareBatch(
                  "INSERT INTO agent_run_events (run_id, seq, type, data_json, at) VALUES (:run,"
                      + " :seq, :type, :data, :at) ON CONFLICT (run_id, seq) DO NOTHING");
          int added = 0;
          for (StoredEvent e : events) {
            if (!refused.contains(e.runId())) {
              insert
                  .bind("run", e.runId())
                  .bind("seq", e.seq())
                  .bind("type", e.type())
                  .bind("data", cipher.seal(SealedColumns.RUN_EVENTS.id(), e.dataJson()))
                  .bind("at", e.at().toEpochMilli())
                  .add();
              added++;
            }
          }
          if (added > 0) {
            insert.execute();
            Set<String> written = new TreeSet<>(runs);
            written.removeAll(refused);
            db.signal(h, CHANNEL, written);
          }
          return refused;
        });
  }

  @Override
  public List<StoredEvent> events(String runId, long afterSeq, int limit) {
    FieldCipher cipher = db.cipher();
    return db.withHandle(
        h ->
            EVENTS
                .after(h, "seq, type, data_json, at", runId, afterSeq, Math.max(1, limit))
                .map(
                    (rs, ctx) ->
                        new StoredEvent(
                            runId,
                            rs.getLong("seq"),
                            rs.getString("type"),
                            cipher.open(SealedColumns.RUN_EVENTS.id(), rs.getString("data_json")),
                            Instant.ofEpochMilli(rs.getLong("at"))))
                .list());
  }

  @Override
  public long lastSeq(String runId) {
    return db.withHandle(h -> EVENTS.lastSeq(h, runId));
  }

  @Override
  public int purgeEventsFinishedBefore(Instant before) {
    return db.withTransaction(
        h -> {
          List<String> ids =
              h.createQuery(
                      "SELECT DISTINCT r.id FROM agent_runs r JOIN agent_run_events e ON e.run_id"
                          + " = r.id WHERE r.status NOT IN "
                          + UNFINISHED
                          + " AND r.updated_at < :before LIMIT 10000")
                  .bind("before", before.toEpochMilli())
                  .mapTo(String.class)
                  .list();
          if (!ids.isEmpty()) {
            PreparedBatch delete =
                h.prepareBatch("DELETE FROM agent_run_events WHERE run_id = :id");
            ids.forEach(id -> delete.bind("id", id).add());
            delete.execute();
          }
          return ids.size();
        });
  }

  @Override
  public Optional<AutoCloseable> listenEvents(Consumer<String> runIds) {
    return db.listen(CHANNEL, runIds);
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
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        rs.getString("owner"),
        Instant.ofEpochMilli(rs.getLong("lease_until")),
        rs.getString("request_json"),
        rs.getString("trace_id"));
  }
}
