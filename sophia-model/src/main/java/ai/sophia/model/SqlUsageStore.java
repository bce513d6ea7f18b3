package ai.sophia.model;

import ai.sophia.memory.Database;
import ai.sophia.memory.GroupCommit;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** {@link UsageStore} in the {@code model_usage} table. */
public final class SqlUsageStore implements UsageStore {
  /** More models than anyone configures; keeps the per-model query bounded. */
  private static final int MAX_MODELS = 1000;

  private final Database db;
  // Thousands of model calls ending at once share a transaction (one per batch) instead of
  // queueing one by one for the database's writer.
  private final GroupCommit<UsageRecord> writes;

  public SqlUsageStore(Database database) {
    this.db = Objects.requireNonNull(database, "database");
    this.writes = new GroupCommit<>(db, SqlUsageStore::insert);
  }

  @Override
  public void record(UsageRecord u) {
    writes.write(Objects.requireNonNull(u, "usage"));
  }

  private static void insert(Handle h, List<UsageRecord> records) {
    PreparedBatch batch =
        h.prepareBatch(
            "INSERT INTO model_usage (recorded_at, day, api_key_id, agent, model, outcome,"
                + " input_tokens, output_tokens, cost_usd, latency_ms) VALUES (:at, :day,"
                + " :key, :agent, :model, :outcome, :in, :out, :cost, :ms)");
    for (UsageRecord u : records) {
      batch
          .bind("at", u.recordedAt().toEpochMilli())
          .bind("day", u.recordedAt().atZone(ZoneOffset.UTC).toLocalDate().toString())
          .bind("key", u.apiKeyId())
          .bind("agent", u.agent())
          .bind("model", u.model())
          .bind("outcome", u.outcome())
          .bind("in", u.inputTokens())
          .bind("out", u.outputTokens())
          .bind("cost", u.costUsd())
          .bind("ms", u.latencyMs())
          .add();
    }
    batch.execute();
  }

  @Override
  public double spentUsd(String apiKeyId, LocalDate day) {
    Objects.requireNonNull(apiKeyId, "apiKeyId");
    Objects.requireNonNull(day, "day");
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT COALESCE(SUM(cost_usd), 0) FROM model_usage"
                        + " WHERE api_key_id = :key AND day = :day")
                .bind("key", apiKeyId)
                .bind("day", day.toString())
                .mapTo(Double.class)
                .one());
  }

  @Override
  public UsageSummary summary(LocalDate today) {
    Objects.requireNonNull(today, "today");
    Map<String, UsageSummary.ModelUsage> byModel = grouped("model", today);
    long calls = 0;
    long ok = 0;
    long in = 0;
    long out = 0;
    double costToday = 0;
    double costTotal = 0;
    for (UsageSummary.ModelUsage m : byModel.values()) {
      calls += m.calls();
      ok += m.ok();
      in += m.inputTokens();
      out += m.outputTokens();
      costToday += m.costTodayUsd();
      costTotal += m.costTotalUsd();
    }
    return new UsageSummary(
        calls, ok, in, out, costToday, costTotal, byModel, grouped("agent", today));
  }

  @Override
  public java.util.List<DailyUsage> daily(LocalDate since) {
    Objects.requireNonNull(since, "since");
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT day, model, COUNT(*) AS calls,"
                        + " SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END) AS ok,"
                        + " SUM(input_tokens) AS input, SUM(output_tokens) AS output,"
                        + " SUM(cost_usd) AS cost FROM model_usage WHERE day >= :since"
                        + " GROUP BY day, model ORDER BY day, model LIMIT :n")
                .bind("since", since.toString())
                .bind("n", MAX_MODELS * 400)
                .map(
                    (row, ctx) ->
                        new DailyUsage(
                            row.getString("day"),
                            row.getString("model"),
                            row.getLong("calls"),
                            row.getLong("ok"),
                            row.getLong("input"),
                            row.getLong("output"),
                            row.getDouble("cost")))
                .list());
  }

  /** Totals per value of {@code column} (model or agent: never caller input). */
  private Map<String, UsageSummary.ModelUsage> grouped(String column, LocalDate today) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + column
                        + " AS name, COUNT(*) AS calls,"
                        + " SUM(CASE WHEN outcome = 'ok' THEN 1 ELSE 0 END) AS ok,"
                        + " SUM(input_tokens) AS input, SUM(output_tokens) AS output,"
                        + " SUM(CASE WHEN day = :day THEN cost_usd ELSE 0 END) AS cost_today,"
                        + " SUM(cost_usd) AS cost_total"
                        + " FROM model_usage GROUP BY "
                        + column
                        + " ORDER BY "
                        + column
                        + " LIMIT :n")
                .bind("day", today.toString())
                .bind("n", MAX_MODELS)
                .reduceRows(
                    new LinkedHashMap<String, UsageSummary.ModelUsage>(),
                    (map, row) -> {
                      String name = row.getColumn("name", String.class);
                      map.put(
                          name.isEmpty() ? "(none)" : name,
                          new UsageSummary.ModelUsage(
                              row.getColumn("calls", Long.class),
                              row.getColumn("ok", Long.class),
                              row.getColumn("input", Long.class),
                              row.getColumn("output", Long.class),
                              row.getColumn("cost_today", Double.class),
                              row.getColumn("cost_total", Double.class)));
                      return map;
                    }));
  }
}
