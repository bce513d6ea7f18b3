package ai.sophia.tool;

import java.util.Objects;

/** What a tool call produced: a result for the model to read, or a failure it can react to. */
public sealed interface ToolOutput {
  /** The text the model reads (data, never instructions). */
  String text();

  record Success(String text) implements ToolOutput {
    public Success {
      Objects.requireNonNull(text, "text");
    }
  }

  record Failure(String text) implements ToolOutput {
    public Failure {
      Objects.requireNonNull(text, "text");
    }
  }
}
