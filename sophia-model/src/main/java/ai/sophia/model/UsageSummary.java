package ai.sophia.model;

import java.util.Map;

/**
 * Totals of model usage for /api/v1/system/stats: attempts ({@code calls}, of which {@code ok}
 * answered), tokens and cost, today (UTC) and overall, and the same per model.
 */
public record UsageSummary(
    long calls,
    long ok,
    long inputTokens,
    long outputTokens,
    double costTodayUsd,
    double costTotalUsd,
    Map<String, ModelUsage> byModel) {
  public UsageSummary {
    byModel = Map.copyOf(byModel);
  }

  /** One model's totals. */
  public record ModelUsage(
      long calls,
      long ok,
      long inputTokens,
      long outputTokens,
      double costTodayUsd,
      double costTotalUsd) {}
}
