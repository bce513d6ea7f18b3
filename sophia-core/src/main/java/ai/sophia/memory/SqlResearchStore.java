package ai.sophia.memory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link ResearchStore} in the {@code research_results} table. Times are kept to the millisecond.
 */
public final class SqlResearchStore implements ResearchStore {
  private static final String COLUMNS =
      "id, query, engine, mode, quality_score, sources_found, result_json, created_at";

  private final Database db;

  public SqlResearchStore(Database database) {
    this.db = Objects.requireNonNull(database, "database");
  }

  /** Inserts the record, or replaces the one with the same id. */
  @Override
  public void save(ResearchRecord r) {
    Objects.requireNonNull(r, "record");
    db.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO research_results ("
                        + COLUMNS
                        + ") VALUES (:id, :query, :engine, :mode, :quality, :sources, :json, :at)"
                        + " ON CONFLICT (id) DO UPDATE SET query = excluded.query,"
                        + " engine = excluded.engine, mode = excluded.mode,"
                        + " quality_score = excluded.quality_score,"
                        + " sources_found = excluded.sources_found,"
                        + " result_json = excluded.result_json, created_at = excluded.created_at")
                .bind("id", r.id())
                .bind("query", r.query())
                .bind("engine", r.engine())
                .bind("mode", r.mode())
                .bind("quality", r.qualityScore())
                .bind("sources", r.sourcesFound())
                .bind("json", r.resultJson())
                .bind("at", r.createdAt().toEpochMilli())
                .execute());
  }

  @Override
  public Optional<ResearchRecord> find(String id) {
    Objects.requireNonNull(id, "id");
    return db.withHandle(
        h ->
            h.createQuery("SELECT " + COLUMNS + " FROM research_results WHERE id = :id LIMIT 1")
                .bind("id", id)
                .map(SqlResearchStore::row)
                .findOne());
  }

  @Override
  public List<ResearchRecord> recent(String containing, int limit) {
    Objects.requireNonNull(containing, "containing");
    Limits.check(limit);
    // LIKE with an escape character, so % and _ in the filter are matched as themselves, on
    // LOWER of both sides: case-blind on PostgreSQL too, as SQLite's LIKE is for ASCII; rowid
    // breaks ties between records saved within the same millisecond.
    String pattern =
        "%" + containing.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM research_results WHERE LOWER(query) LIKE LOWER(:pattern) ESCAPE '\\'"
                        + " ORDER BY created_at DESC, rowid DESC LIMIT :n")
                .bind("pattern", pattern)
                .bind("n", limit)
                .map(SqlResearchStore::row)
                .list());
  }

  @Override
  public long count() {
    return db.withHandle(
        h -> h.createQuery("SELECT COUNT(*) FROM research_results").mapTo(Long.class).one());
  }

  private static ResearchRecord row(ResultSet rs, StatementContext ctx) throws SQLException {
    return new ResearchRecord(
        rs.getString("id"),
        rs.getString("query"),
        rs.getString("engine"),
        rs.getString("mode"),
        rs.getDouble("quality_score"),
        rs.getInt("sources_found"),
        rs.getString("result_json"),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }
}
