package ai.sophia.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One API key's model spend on one UTC day against its daily budget ({@code dailyBudgetUsd} 0: no
 * budget, and no {@code remainingUsd}).
 */
public record KeyBudget(String apiKeyId, String day, double spentUsd, double dailyBudgetUsd) {
  /** What is left today; absent when the key has no budget. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public Double remainingUsd() {
    return dailyBudgetUsd <= 0 ? null : Math.max(0, dailyBudgetUsd - spentUsd);
  }
}
