package ai.sophia.model;

import java.util.Objects;

/** A model's request to run a tool: the provider's call id, the tool, its JSON arguments. */
public record ToolCall(String id, String name, String argumentsJson) {
  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(argumentsJson, "argumentsJson");
  }
}
