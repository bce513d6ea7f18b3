package ai.sophia.swarm;

import ai.sophia.memory.Database;
import ai.sophia.memory.EventTable;
import ai.sophia.memory.GroupCommit;
import ai.sophia.memory.LeaseTable;
import ai.sophia.swarm.SwarmStore.RunChange;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Runs, steps and events in Sophia's database, SQLite or PostgreSQL (tables of migration V3).
 * Claiming a run reads its lease and then takes it in one transaction; on PostgreSQL the read locks
 * the row ({@link Database#lockSkipLocked()}), so two engines cannot both take it.
 *
 * <p>The fence: a commit first updates its run's row on the condition that its owner still holds
 * it, in the transaction that then writes the steps and events. That update locks the row on
 * PostgreSQL (a claim skips it until the commit ends; a claim under way makes it wait and re-read
 * the owner), and SQLite runs one writing transaction at a time, so no claim falls in between.
 */
public final class SqlSwarmStore implements SwarmStore {
  private static final String RUN_COLUMNS =
      "id, graph, status, requested_by, input_json, state_json, error, created_at, finished_at,"
          + " deadline_at";
  private static final String UNFINISHED = "('pending', 'running', 'waiting_approval')";
  private static final LeaseTable LEASES = new LeaseTable("swarm_runs", UNFINISHED);
  private static final EventTable EVENT_TABLE = new EventTable("swarm_events");

  private final Database db;
  private final GroupCommit<Write> writes;

  public SqlSwarmStore(Database database) {
    this.db = Objects.requireNonNull(database, "database");
    this.writes = new GroupCommit<>(db, this::writeAll);
  }

  /** What the group commit writes: a new run, or a commit of one. */
  private sealed interface Write {}

  private record NewRun(SwarmRun run, String owner, Instant leaseUntil, List<SwarmEvent> events)
      implements Write {}

  /** {@code heldBy} is set when the commit is applied: empty written, else who holds the run. */
  private record Update(Commit commit, AtomicReference<Optional<String>> heldBy) implements Write {}

  @Override
  public void create(SwarmRun run, String owner, Instant leaseUntil, List<SwarmEvent> events) {
    writes.write(new NewRun(run, owner, leaseUntil, events));
  }

  @Override
  public Optional<String> commit(Commit c) {
    Update update = new Update(c, new AtomicReference<>(Optional.empty()));
    writes.write(update);
    return update.heldBy().get();
  }

  /**
   * Writes a batch: one prepared batch per statement for all its writes (new runs, then steps, run
   * changes and events, each in the order given), so a batch of a thousand commits costs four
   * statements, not thousands. Commits whose owner lost the run write nothing ({@link #fence}).
   */
  private void writeAll(Handle h, List<Write> batch) {
    List<Write> writes = fence(h, batch);
    PreparedBatch runs = null;
    PreparedBatch steps = null;
    PreparedBatch changes = null;
    PreparedBatch events = null;
    for (Write w : writes) {
      switch (w) {
        case NewRun n -> {
          runs = runs != null ? runs : h.prepareBatch(INSERT_RUN);
          SwarmRun run = n.run();
          runs.bind("id", run.id())
              .bind("graph", run.graph())
              .bind("status", run.status().name())
              .bind("by", run.requestedBy())
              .bind("input", Json.text(run.input()))
              .bind("state", Json.text(run.state()))
              .bind("created", run.createdAt().toEpochMilli())
              .bind("deadline", run.deadline().toEpochMilli())
              .bind("owner", n.owner())
              .bind("lease", n.leaseUntil().toEpochMilli())
              .add();
        }
        case Update(Commit c, var heldBy) -> {
          for (StepWrite sw : c.steps()) {
            steps = steps != null ? steps : h.prepareBatch(UPSERT_STEP);
            StepRecord s = sw.step();
            steps
                .bind("run", c.runId())
                .bind("key", s.key())
                .bind("name", s.name())
                .bind("status", s.status())
                .bind("attempt", s.attempt())
                .bind("started", s.startedAt().map(Instant::toEpochMilli).orElse(null))
                .bind("finished", s.finishedAt().map(Instant::toEpochMilli).orElse(null))
                .bind("output", s.output().isNull() ? null : Json.text(s.output()))
                .bind("error", s.error())
                .bind("approval", sw.approval().isNull() ? null : Json.text(sw.approval()))
                .add();
          }
          if (c.run().isPresent()) {
            RunChange r = c.run().get();
            changes = changes != null ? changes : h.prepareBatch(UPDATE_RUN);
            changes
                .bind("id", c.runId())
                .bind("status", r.status().name())
                .bind("state", Json.text(r.state()))
                .bind("error", r.error())
                .bind("finished", r.finishedAt().map(Instant::toEpochMilli).orElse(null))
                .bind("now", System.currentTimeMillis())
                .add();
          }
        }
      }
    }
    for (Write w : writes) {
      List<SwarmEvent> list =
          switch (w) {
            case NewRun n -> n.events();
            case Update(Commit c, var heldBy) -> c.events();
          };
      for (SwarmEvent e : list) {
        events = events != null ? events : h.prepareBatch(INSERT_EVENT);
        events
            .bind("run", e.runId())
            .bind("seq", e.seq())
            .bind("type", e.type())
            .bind("step", e.step())
            .bind("data", Json.text(e.data()))
            .bind("at", e.at().toEpochMilli())
            .add();
      }
    }
    for (PreparedBatch b : new PreparedBatch[] {runs, steps, changes, events}) {
      if (b != null) {
        b.execute();
      }
    }
    if (events != null) {
      Set<String> touched = new LinkedHashSet<>();
      for (Write w : writes) {
        switch (w) {
          case NewRun n -> n.events().forEach(e -> touched.add(EVENTS + e.runId()));
          case Update(Commit c, var heldBy) ->
              c.events().forEach(e -> touched.add(EVENTS + e.runId()));
        }
      }
      db.signal(h, CHANNEL, touched);
    }
  }

  /**
   * The writes of {@code batch} whose owner still holds the run (and the new runs): each commit's
   * run row is updated on that condition, in run id order so that two batches lock rows in the same
   * order; a commit refused learns who holds the run instead.
   */
  private static List<Write> fence(Handle h, List<Write> batch) {
    List<Update> updates =
        batch.stream()
            .filter(Update.class::isInstance)
            .map(Update.class::cast)
            .sorted(Comparator.comparing(u -> u.commit().runId()))
            .toList();
    if (updates.isEmpty()) {
      return batch;
    }
    PreparedBatch fence = h.prepareBatch(FENCE);
    for (Update u : updates) {
      fence.bind("id", u.commit().runId()).bind("owner", u.commit().owner()).add();
    }
    int[] held = fence.execute();
    Set<Write> refused = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < updates.size(); i++) {
      Update u = updates.get(i);
      if (held[i] == 0) {
        refused.add(u);
        u.heldBy().set(Optional.of(holder(h, u.commit().runId())));
      } else {
        u.heldBy().set(Optional.empty());
      }
    }
    return refused.isEmpty() ? batch : batch.stream().filter(w -> !refused.contains(w)).toList();
  }

  private static String holder(Handle h, String runId) {
    return h.createQuery("SELECT owner FROM swarm_runs WHERE id = :id")
        .bind("id", runId)
        .mapTo(String.class)
        .findOne()
        .orElseThrow(() -> new IllegalStateException("no swarm run " + runId));
  }

  /** The notification channel (PostgreSQL) and its payloads' prefixes. */
  private static final String CHANNEL = "sophia_swarm";

  private static final String EVENTS = "e:";
  private static final String CANCEL = "c:";

  @Override
  public Optional<AutoCloseable> listen(Consumer<Change> listener) {
    return db.listen(
        CHANNEL,
        payload -> {
          if (payload.startsWith(EVENTS)) {
            listener.accept(new Change.Events(payload.substring(EVENTS.length())));
          } else if (payload.startsWith(CANCEL)) {
            listener.accept(new Change.CancelAsked(payload.substring(CANCEL.length())));
          } else {
            listener.accept(new Change.Missed());
          }
        });
  }

  // Writes nothing, but locks the row (PostgreSQL) and counts whether the owner holds it.
  private static final String FENCE =
      "UPDATE swarm_runs SET owner = owner WHERE id = :id AND owner = :owner";
  private static final String INSERT_RUN =
      "INSERT INTO swarm_runs (id, graph, status, requested_by, input_json, state_json,"
          + " created_at, updated_at, deadline_at, owner, lease_until) VALUES (:id, :graph,"
          + " :status, :by, :input, :state, :created, :created, :deadline, :owner, :lease)";
  private static final String UPSERT_STEP =
      "INSERT INTO swarm_steps (run_id, step_key, name, status, attempt, started_at, finished_at,"
          + " output_json, error, approval_json) VALUES (:run, :key, :name, :status, :attempt,"
          + " :started, :finished, :output, :error, :approval) ON CONFLICT (run_id, step_key) DO"
          + " UPDATE SET status = excluded.status, attempt = excluded.attempt, started_at ="
          + " excluded.started_at, finished_at = excluded.finished_at, output_json ="
          + " excluded.output_json, error = excluded.error, approval_json ="
          + " COALESCE(excluded.approval_json, swarm_steps.approval_json)";
  private static final String UPDATE_RUN =
      "UPDATE swarm_runs SET status = :status, state_json = :state, error = :error, finished_at"
          + " = :finished, updated_at = :now WHERE id = :id";
  private static final String INSERT_EVENT =
      "INSERT INTO swarm_events (run_id, seq, type, step, data_json, at) VALUES (:run, :seq,"
          + " :type, :step, :data, :at)";

  @Override
  public Optional<SwarmRun> find(String runId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT " + RUN_COLUMNS + " FROM swarm_runs WHERE id = :id")
                .bind("id", runId)
                .map((rs, ctx) -> run(rs, steps(h, runId)))
                .findOne());
  }

  private static List<StepRecord> steps(Handle h, String runId) {
    return h.createQuery(
            "SELECT step_key, name, status, attempt, started_at, finished_at, output_json, error"
                + " FROM swarm_steps WHERE run_id = :run ORDER BY rowid")
        .bind("run", runId)
        .map(
            (rs, ctx) -> {
              String output = rs.getString("output_json");
              return new StepRecord(
                  rs.getString("step_key"),
                  rs.getString("name"),
                  rs.getString("status"),
                  rs.getInt("attempt"),
                  instant(rs, "started_at"),
                  instant(rs, "finished_at"),
                  output == null ? NullNode.getInstance() : Json.parse(output),
                  rs.getString("error"));
            })
        .list();
  }

  @Override
  public List<SwarmRun> list(Optional<SwarmStatus> status, int limit) {
    int bounded = Math.max(1, Math.min(limit, 1000));
    return db.withHandle(
        h ->
            (status.isPresent()
                    ? h.createQuery(
                            "SELECT "
                                + RUN_COLUMNS
                                + " FROM swarm_runs WHERE status = :status ORDER BY created_at"
                                + " DESC, rowid DESC LIMIT :limit")
                        .bind("status", status.get().name())
                    : h.createQuery(
                        "SELECT "
                            + RUN_COLUMNS
                            + " FROM swarm_runs ORDER BY created_at DESC, rowid DESC LIMIT :limit"))
                .bind("limit", bounded)
                .map((rs, ctx) -> run(rs, List.of()))
                .list());
  }

  @Override
  public List<SwarmRun> unfinished(int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + RUN_COLUMNS
                        + " FROM swarm_runs WHERE status IN "
                        + UNFINISHED
                        + " ORDER BY created_at, rowid LIMIT :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> run(rs, List.of()))
                .list());
  }

  @Override
  public Map<String, JsonNode> approvals(String runId) {
    return db.withHandle(
        h -> {
          Map<String, JsonNode> out = new LinkedHashMap<>();
          h.createQuery(
                  "SELECT step_key, approval_json FROM swarm_steps WHERE run_id = :run AND"
                      + " approval_json IS NOT NULL")
              .bind("run", runId)
              .map((rs, ctx) -> Map.entry(rs.getString(1), Json.parse(rs.getString(2))))
              .forEach(e -> out.put(e.getKey(), e.getValue()));
          return out;
        });
  }

  @Override
  public List<SwarmEvent> events(String runId, long afterSeq, int limit) {
    return db.withHandle(
        h ->
            EVENT_TABLE
                .after(h, "seq, type, step, data_json, at", runId, afterSeq, limit)
                .map(
                    (rs, ctx) ->
                        new SwarmEvent(
                            runId,
                            rs.getLong("seq"),
                            rs.getString("type"),
                            rs.getString("step"),
                            Json.parse(rs.getString("data_json")),
                            Instant.ofEpochMilli(rs.getLong("at"))))
                .list());
  }

  @Override
  public long lastSeq(String runId) {
    return db.withHandle(h -> EVENT_TABLE.lastSeq(h, runId));
  }

  @Override
  public boolean claim(
      String runId, String owner, Instant now, Instant leaseUntil, Predicate<String> ownerGone) {
    return db.withTransaction(
        h -> {
          Optional<Map.Entry<String, Long>> holder =
              h.createQuery(
                      "SELECT owner, lease_until, status FROM swarm_runs WHERE id = :id AND status"
                          + " IN "
                          + UNFINISHED
                          + db.lockSkipLocked())
                  .bind("id", runId)
                  .map(
                      (rs, ctx) ->
                          Map.entry(
                              rs.getString("owner"),
                              rs.getString("status").equals("waiting_approval")
                                  ? 0L
                                  : rs.getLong("lease_until")))
                  .findOne();
          if (holder.isEmpty()) {
            return false;
          }
          String current = holder.get().getKey();
          boolean free =
              current.equals(owner)
                  || holder.get().getValue() < now.toEpochMilli()
                  || ownerGone.test(current);
          if (!free) {
            return false;
          }
          h.createUpdate(
                  "UPDATE swarm_runs SET owner = :owner, lease_until = :lease WHERE id = :id")
              .bind("id", runId)
              .bind("owner", owner)
              .bind("lease", leaseUntil.toEpochMilli())
              .execute();
          return true;
        });
  }

  @Override
  public Set<String> renew(String owner, Instant leaseUntil) {
    return db.withTransaction(h -> LEASES.renew(h, owner, leaseUntil));
  }

  @Override
  public List<SwarmRun> orphaned(String self, Instant now, Predicate<String> ownerGone, int limit) {
    return db.withHandle(
        h ->
            LEASES
                .orphaned(h, RUN_COLUMNS, self, now, ownerGone, limit)
                .map((rs, ctx) -> run(rs, List.of()))
                .list());
  }

  @Override
  public boolean requestCancel(String runId, String by) {
    return db.withTransaction(
        h -> {
          boolean asked = LEASES.requestCancel(h, runId, by);
          if (asked) {
            db.signal(h, CHANNEL, List.of(CANCEL + runId));
          }
          return asked;
        });
  }

  @Override
  public Map<String, String> cancelRequests(String owner) {
    return db.withHandle(h -> LEASES.cancelRequests(h, owner));
  }

  @Override
  public int purgeFinishedBefore(Instant before) {
    return db.withTransaction(
        h -> {
          List<String> ids =
              h.createQuery(
                      "SELECT id FROM swarm_runs WHERE summary_json IS NULL AND finished_at IS NOT"
                          + " NULL AND finished_at < :before LIMIT 10000")
                  .bind("before", before.toEpochMilli())
                  .mapTo(String.class)
                  .list();
          for (String id : ids) {
            JsonNode summary =
                h.createQuery(
                        "SELECT COUNT(*) AS steps, "
                            + count("succeeded")
                            + ", "
                            + count("failed")
                            + ", "
                            + count("skipped")
                            + ", (SELECT COUNT(*)"
                            + " FROM swarm_events WHERE run_id = :run) AS events FROM swarm_steps"
                            + " WHERE run_id = :run")
                    .bind("run", id)
                    .map(
                        (rs, ctx) ->
                            Json.object()
                                .put("steps", rs.getInt("steps"))
                                .put("succeeded", rs.getInt("succeeded"))
                                .put("failed", rs.getInt("failed"))
                                .put("skipped", rs.getInt("skipped"))
                                .put("events", rs.getInt("events"))
                                .put("purged_at", Instant.now().toString()))
                    .one();
            h.createUpdate("DELETE FROM swarm_steps WHERE run_id = :run").bind("run", id).execute();
            h.createUpdate("DELETE FROM swarm_events WHERE run_id = :run")
                .bind("run", id)
                .execute();
            h.createUpdate("UPDATE swarm_runs SET summary_json = :s WHERE id = :run")
                .bind("run", id)
                .bind("s", Json.text(summary))
                .execute();
          }
          return ids.size();
        });
  }

  private static String count(String status) {
    return "COALESCE(SUM(CASE WHEN status = '" + status + "' THEN 1 ELSE 0 END), 0) AS " + status;
  }

  @Override
  public long recordBytes(String runId) {
    // The payload bytes of the run's rows plus a per-row estimate of SQLite's record and index
    // overhead (key columns repeated in the index, cell headers): about 40 bytes per row.
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT (SELECT COALESCE(SUM(LENGTH(id) + LENGTH(graph) + LENGTH(status) +"
                        + " LENGTH(requested_by) + LENGTH(input_json) + LENGTH(state_json) +"
                        + " LENGTH(error) + LENGTH(owner) + COALESCE(LENGTH(summary_json), 0) + 40"
                        + " + 2 * LENGTH(id)), 0) FROM swarm_runs WHERE id = :run) + (SELECT"
                        + " COALESCE(SUM(LENGTH(run_id) + LENGTH(step_key) + LENGTH(name) +"
                        + " LENGTH(status) + COALESCE(LENGTH(output_json), 0) + LENGTH(error) +"
                        + " COALESCE(LENGTH(approval_json), 0) + 40 + LENGTH(run_id) +"
                        + " LENGTH(step_key)), 0) FROM swarm_steps WHERE run_id = :run) + (SELECT"
                        + " COALESCE(SUM(LENGTH(run_id) + LENGTH(type) + LENGTH(step) +"
                        + " LENGTH(data_json) + 30), 0) FROM swarm_events WHERE run_id = :run)")
                .bind("run", runId)
                .mapTo(Long.class)
                .one());
  }

  private static SwarmRun run(ResultSet rs, List<StepRecord> steps) throws SQLException {
    return new SwarmRun(
        rs.getString("id"),
        rs.getString("graph"),
        SwarmStatus.valueOf(rs.getString("status")),
        rs.getString("requested_by"),
        Json.parse(rs.getString("input_json")),
        Json.parse(rs.getString("state_json")),
        steps,
        rs.getString("error"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        instant(rs, "finished_at"),
        Instant.ofEpochMilli(rs.getLong("deadline_at")));
  }

  private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
  }
}
