package ai.sophia.model;

import java.time.LocalDate;

/** Where every model attempt is accounted; budgets and statistics read it back. */
public interface UsageStore {
  /** Records one attempt. */
  void record(UsageRecord usage);

  /** What {@code apiKeyId} spent on models on {@code day} (UTC), in USD. */
  double spentUsd(String apiKeyId, LocalDate day);

  /** Totals overall and for {@code today}, per model. */
  UsageSummary summary(LocalDate today);

  /** Totals per UTC day and model from {@code since} on, oldest day first. */
  java.util.List<DailyUsage> daily(LocalDate since);
}
