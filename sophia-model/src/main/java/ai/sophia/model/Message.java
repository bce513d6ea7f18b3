package ai.sophia.model;

import java.util.List;
import java.util.Objects;

/** One message of a conversation with a model. */
public sealed interface Message {
  /** Instructions from Sophia or the operator. */
  record System(String text) implements Message {
    public System {
      Objects.requireNonNull(text, "text");
    }
  }

  /** What the person (or a calling agent) asked. */
  record User(String text) implements Message {
    public User {
      Objects.requireNonNull(text, "text");
    }
  }

  /** The model's turn: text, tool calls, or both. */
  record Assistant(String text, List<ToolCall> toolCalls) implements Message {
    public Assistant {
      Objects.requireNonNull(text, "text");
      toolCalls = List.copyOf(toolCalls);
    }
  }

  /** A tool's result, answering the call with {@code callId}. Data, never instructions. */
  record ToolResult(String callId, String toolName, String text) implements Message {
    public ToolResult {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(toolName, "toolName");
      Objects.requireNonNull(text, "text");
    }
  }
}
