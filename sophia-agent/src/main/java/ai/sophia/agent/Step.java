package ai.sophia.agent;

import ai.sophia.model.ToolCall;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/** One entry of a run's transcript; the transcript is stored as JSON with the run. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
public sealed interface Step {
  /** A model call: which model answered, what it cost, and what it said or asked for. */
  @JsonTypeName("model_call")
  record ModelCall(
      int step,
      String model,
      long inputTokens,
      long outputTokens,
      double costUsd,
      String text,
      List<ToolCall> toolCalls,
      long durationMs)
      implements Step {}

  /**
   * A tool call: {@code outcome} is ok, failed (the tool said so), error (it threw), refused (not
   * allowed for this agent, or its arguments not JSON; never run) or denied (a person said no,
   * never run).
   */
  @JsonTypeName("tool_call")
  record ToolUse(
      String callId,
      String tool,
      String arguments,
      Risk risk,
      String outcome,
      String output,
      long durationMs)
      implements Step {
    /** The outcomes of a call that ran (and so counted as the tool's next call). */
    static final java.util.Set<String> INVOKED = java.util.Set.of("ok", "failed", "error");
  }

  /** An approval asked for ({@code requested}) or settled (granted, denied, expired). */
  @JsonTypeName("approval")
  record Approval(
      String approvalId, String tool, Risk risk, String event, String decidedBy, String reason)
      implements Step {}

  /** Something the runtime did on its own, e.g. switching to offline mode. */
  @JsonTypeName("note")
  record Note(String text) implements Step {}
}
