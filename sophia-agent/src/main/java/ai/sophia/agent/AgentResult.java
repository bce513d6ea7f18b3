package ai.sophia.agent;

import java.util.Objects;

/**
 * How a run ended: its status, {@code mode} ({@code model}, or {@code offline} when no model could
 * be used and the agent worked rule-based), the answer ({@code ""} when there is none), a note
 * saying why when it failed, stopped or went offline, the session it belongs to, and what it
 * consumed.
 */
public record AgentResult(
    String runId,
    String agent,
    RunStatus status,
    String mode,
    String answer,
    String note,
    String sessionId,
    int modelCalls,
    long inputTokens,
    long outputTokens,
    double costUsd) {
  public static final String MODE_MODEL = "model";
  public static final String MODE_OFFLINE = "offline";

  public AgentResult {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(answer, "answer");
    Objects.requireNonNull(note, "note");
    Objects.requireNonNull(sessionId, "sessionId");
  }
}
