package ai.sophia.model;

/** One model's totals on one UTC day: every attempt, the answered ones, tokens and cost. */
public record DailyUsage(
    String day,
    String model,
    long calls,
    long ok,
    long inputTokens,
    long outputTokens,
    double costUsd) {}
