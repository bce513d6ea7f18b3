package ai.sophia.agent;

import ai.sophia.tool.Risk;
import java.time.Instant;
import java.util.Objects;

/**
 * A person's decision asked for one risky tool call. {@code status} is pending, granted, denied or
 * expired (the run stopped waiting: it finished, was cancelled or timed out); {@code decidedBy} and
 * {@code reason} are {@code ""} until decided.
 */
public record Approval(
    String id,
    String runId,
    String agent,
    String tool,
    Risk risk,
    String argumentsJson,
    String status,
    Instant requestedAt,
    String decidedBy,
    String reason) {
  public static final String PENDING = "pending";
  public static final String GRANTED = "granted";
  public static final String DENIED = "denied";
  public static final String EXPIRED = "expired";

  public Approval {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(risk, "risk");
    Objects.requireNonNull(argumentsJson, "argumentsJson");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(requestedAt, "requestedAt");
    decidedBy = decidedBy == null ? "" : decidedBy;
    reason = reason == null ? "" : reason;
  }
}
