package ai.sophia.model;

import java.util.List;
import java.util.Objects;

/**
 * A model's answer: its text (JSON when a response schema was asked for), the tools it wants
 * called, what it cost, which model answered, and every attempt the gateway made to get it.
 */
public record ModelReply(
    String text,
    List<ToolCall> toolCalls,
    TokenUsage usage,
    double costUsd,
    ModelRef model,
    String finishReason,
    List<Attempt> attempts) {
  public ModelReply {
    Objects.requireNonNull(text, "text");
    toolCalls = List.copyOf(toolCalls);
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(finishReason, "finishReason");
    attempts = List.copyOf(attempts);
  }

  public boolean hasToolCalls() {
    return !toolCalls.isEmpty();
  }
}
