package ai.sophia.memory;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * A table of runs' numbered events ({@code swarm_events}, {@code agent_run_events}): keyed by
 * {@code (run_id, seq)}, seq 1, 2, … per run without gaps. The reads its stores share.
 */
public record EventTable(String table) {
  /** The run's events with {@code seq > afterSeq}, in order, at most {@code limit}: to map. */
  public Query after(Handle h, String columns, String runId, long afterSeq, int limit) {
    return h.createQuery(
            "SELECT "
                + columns
                + " FROM "
                + table
                + " WHERE run_id = :run AND seq > :after ORDER BY seq LIMIT :limit")
        .bind("run", runId)
        .bind("after", afterSeq)
        .bind("limit", limit);
  }

  /** The highest event seq of the run; 0 when it has none. */
  public long lastSeq(Handle h, String runId) {
    return h.createQuery("SELECT COALESCE(MAX(seq), 0) FROM " + table + " WHERE run_id = :run")
        .bind("run", runId)
        .mapTo(Long.class)
        .one();
  }
}
