package ai.sophia.model;

/**
 * One try at one model within a gateway call, kept in the reply so a caller can see the fallbacks:
 * {@code outcome} is ok, error, timeout, rate_limited or skipped (open circuit, no credentials).
 */
public record Attempt(ModelRef model, String outcome, String detail, long latencyMs) {}
