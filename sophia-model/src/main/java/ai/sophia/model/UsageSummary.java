package ai.sophia.model;

import java.util.Map;

/**
 * Totals of model usage for /api/v1/system/stats: attempts ({@code calls}, of which {@code ok}
 * answered), tokens and cost, today (UTC) and overall, and the same per model and per agent.
 */
public record UsageSummary(
    long calls,
    long ok,
    long inputTokens,
    long outputTokens,
    double costTodayUsd,
    double costTotalUsd,
    Map<String, ModelUsage> byModel,
    Map<String, ModelUsage> byAgent) {
  public UsageSummary {
    byModel = Map.copyOf(byModel);
    byAgent = Map.copyOf(byAgent);
  }

  /** One model's (or agent's) totals; calls made outside an agent count under {@code (none)}. */
  public record ModelUsage(
      long calls,
      long ok,
      long inputTokens,
      long outputTokens,
      double costTodayUsd,
      double costTotalUsd) {}
}
