package ai.sophia.agent;

import ai.sophia.model.Message;
import ai.sophia.model.ToolCall;
import ai.sophia.tool.ToolOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a run's transcript left its model loop, so that a run taken over after a crash goes on from
 * there rather than from the start: the conversation so far (each model reply and each tool result
 * as the model read them), the tool calls the last reply asked for that have no result yet, and the
 * answer when the last reply was final. For a new run everything is empty.
 *
 * <p>A tool call that has no result is run again, with the same idempotency key (the key is made of
 * the run, the call's id and the tool's call count, all in the transcript), so a side effect that
 * had landed before the crash does not land twice.
 */
record Replay(
    List<Message> messages,
    List<ToolCall> pending,
    Optional<String> answer,
    int nextStep,
    Optional<String> openApproval) {

  static Replay of(List<Step> transcript) {
    List<Message> messages = new ArrayList<>();
    Map<String, ToolCall> pending = new LinkedHashMap<>();
    Step.ModelCall last = null;
    String openApproval = null;
    for (Step step : transcript) {
      switch (step) {
        case Step.ModelCall m -> {
          last = m;
          messages.add(new Message.Assistant(m.text(), m.toolCalls()));
          pending.clear();
          m.toolCalls().forEach(tc -> pending.put(tc.id(), tc));
        }
        case Step.ToolUse u -> {
          if (pending.remove(u.callId()) != null) {
            ToolOutput out =
                u.outcome().equals("ok")
                    ? new ToolOutput.Success(u.output())
                    : new ToolOutput.Failure(u.output());
            messages.add(
                new Message.ToolResult(u.callId(), u.tool(), AgentRunner.asData(u.tool(), out)));
          }
        }
        case Step.Approval a ->
            openApproval =
                a.event().equals("requested")
                    ? a.approvalId()
                    : a.approvalId().equals(openApproval) ? null : openApproval;
        case Step.Note n -> {}
      }
    }
    Optional<String> answer =
        last != null && last.toolCalls().isEmpty()
            ? Optional.of(last.text().strip())
            : Optional.empty();
    return new Replay(
        List.copyOf(messages),
        List.copyOf(pending.values()),
        answer,
        last == null ? 1 : last.step() + 1,
        Optional.ofNullable(openApproval));
  }

  /** Adds what the recorded model calls consumed to {@code usage}. */
  static void countUsage(List<Step> transcript, Usage usage) {
    for (Step step : transcript) {
      if (step instanceof Step.ModelCall m) {
        usage.modelCalls++;
        usage.inputTokens += m.inputTokens();
        usage.outputTokens += m.outputTokens();
        usage.costUsd += m.costUsd();
      }
    }
  }
}
