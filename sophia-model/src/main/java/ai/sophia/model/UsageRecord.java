package ai.sophia.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One attempt at one model, as accounted: who asked ({@code apiKeyId}, {@code agent}), the model
 * ({@code provider:model}), its outcome (ok, error, timeout, rate_limited), tokens, cost and
 * latency.
 */
public record UsageRecord(
    Instant recordedAt,
    String apiKeyId,
    String agent,
    String model,
    String outcome,
    long inputTokens,
    long outputTokens,
    double costUsd,
    long latencyMs) {
  public UsageRecord {
    Objects.requireNonNull(recordedAt, "recordedAt");
    Objects.requireNonNull(apiKeyId, "apiKeyId");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(outcome, "outcome");
  }
}
