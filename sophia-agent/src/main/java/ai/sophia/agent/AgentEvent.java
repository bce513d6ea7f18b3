package ai.sophia.agent;

import ai.sophia.model.ToolCall;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.List;

/**
 * What happens in a run, as it happens: delivered to listeners (the HTTP layer streams them as
 * server-sent events, named by {@link #type()}) and kept on the run for late listeners.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public sealed interface AgentEvent {
  String runId();

  /** The event's name: run_started, model_reply, token, tool_started, … */
  default String type() {
    return getClass().getAnnotation(JsonTypeName.class).value();
  }

  @JsonTypeName("run_started")
  record RunStarted(String runId, String agent, String mode, String sessionId, Instant at)
      implements AgentEvent {}

  @JsonTypeName("model_reply")
  record ModelReplied(
      String runId,
      int step,
      String model,
      long inputTokens,
      long outputTokens,
      double costUsd,
      String text,
      List<ToolCall> toolCalls)
      implements AgentEvent {}

  @JsonTypeName("token")
  record Token(String runId, String text) implements AgentEvent {}

  @JsonTypeName("tool_started")
  record ToolStarted(String runId, String callId, String tool, String arguments, Risk risk)
      implements AgentEvent {}

  @JsonTypeName("tool_finished")
  record ToolFinished(
      String runId, String callId, String tool, String outcome, String output, long durationMs)
      implements AgentEvent {}

  @JsonTypeName("approval_required")
  record ApprovalRequired(String runId, String approvalId, String tool, Risk risk, String arguments)
      implements AgentEvent {}

  @JsonTypeName("approval_decided")
  record ApprovalDecided(
      String runId, String approvalId, boolean granted, String decidedBy, String reason)
      implements AgentEvent {}

  /**
   * The run goes on after a restart or on another node, from its transcript: {@code steps} of it
   * were done before; the events before this one were the other process's.
   */
  @JsonTypeName("run_resumed")
  record RunResumed(String runId, String agent, int steps, String node, Instant at)
      implements AgentEvent {}

  /**
   * This process stopped running the run without ending it (it shuts down, or another node took the
   * run over): the run goes on elsewhere, and {@code GET /api/v1/runs/{id}} follows it.
   */
  @JsonTypeName("run_handed_over")
  record RunHandedOver(String runId, String reason, Instant at) implements AgentEvent {}

  @JsonTypeName("run_finished")
  record RunFinished(String runId, AgentResult result, Instant at) implements AgentEvent {}
}
