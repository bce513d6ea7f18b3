package ai.sophia.memory;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The lease statements of a table of runs that nodes take over from one another (swarm runs, agent
 * runs): each row has {@code id}, {@code status}, {@code owner}, {@code lease_until} and {@code
 * cancel_by}; {@code unfinished} is the SQL list of the statuses a lease holds, e.g. {@code
 * ('running', 'waiting_approval')}.
 */
public record LeaseTable(String table, String unfinished) {
  /** Extends {@code owner}'s leases on its unfinished runs; returns the ids it still holds. */
  public Set<String> renew(Handle h, String owner, Instant leaseUntil) {
    h.createUpdate(
            "UPDATE "
                + table
                + " SET lease_until = :lease WHERE owner = :owner AND status IN "
                + unfinished)
        .bind("owner", owner)
        .bind("lease", leaseUntil.toEpochMilli())
        .execute();
    return new HashSet<>(
        h.createQuery(
                "SELECT id FROM " + table + " WHERE owner = :owner AND status IN " + unfinished)
            .bind("owner", owner)
            .mapTo(String.class)
            .list());
  }

  /**
   * The query of the unfinished runs of other owners than {@code self} that are free to take (lease
   * expired before {@code now}, or owner {@code gone}), oldest first, at most {@code limit},
   * selecting {@code columns}.
   */
  public Query orphaned(
      Handle h, String columns, String self, Instant now, Predicate<String> gone, int limit) {
    List<String> dead = goneOwners(h, self, gone);
    Query query =
        h.createQuery(
                "SELECT "
                    + columns
                    + " FROM "
                    + table
                    + " WHERE status IN "
                    + unfinished
                    + " AND owner <> :self AND (lease_until < :now"
                    + (dead.isEmpty() ? "" : " OR owner IN (<dead>)")
                    + ") ORDER BY created_at, rowid LIMIT :limit")
            .bind("self", self)
            .bind("now", now.toEpochMilli())
            .bind("limit", limit);
    if (!dead.isEmpty()) {
      query.bindList("dead", dead);
    }
    return query;
  }

  /**
   * The owners other than {@code self} holding unfinished runs that are {@code gone}. Owners are
   * few (one per node), runs many: the dead ones are found by owner first.
   */
  private List<String> goneOwners(Handle h, String self, Predicate<String> gone) {
    return h
        .createQuery(
            "SELECT DISTINCT owner FROM "
                + table
                + " WHERE status IN "
                + unfinished
                + " AND owner <> :self")
        .bind("self", self)
        .mapTo(String.class)
        .list()
        .stream()
        .filter(gone)
        .toList();
  }

  /** The unfinished runs of {@code owner} that a cancel was asked for, with who asked. */
  public Map<String, String> cancelRequests(Handle h, String owner) {
    Map<String, String> out = new LinkedHashMap<>();
    h.createQuery(
            "SELECT id, cancel_by FROM "
                + table
                + " WHERE owner = :owner AND cancel_by <> '' AND status IN "
                + unfinished)
        .bind("owner", owner)
        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Asks for a cancel of the unfinished run {@code id}; false when it is not unfinished. */
  public boolean requestCancel(Handle h, String id, String by) {
    return h.createUpdate(
                "UPDATE "
                    + table
                    + " SET cancel_by = :by WHERE id = :id AND status IN "
                    + unfinished)
            .bind("id", id)
            .bind("by", by.isEmpty() ? "?" : by)
            .execute()
        > 0;
  }
}
