package ai.sophia.tool;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Something an agent can do: a name, a description and a JSON schema for the model, a {@link Risk},
 * and the code that runs it. Implementations validate their arguments and return {@link
 * ToolOutput.Failure} for bad ones rather than throwing.
 */
public interface Tool {
  /** Unique among tools, {@code [a-z][a-z0-9_]*}, e.g. {@code research}. */
  String name();

  String description();

  /** A JSON schema object describing the arguments. */
  JsonNode parameters();

  Risk risk();

  ToolOutput invoke(JsonNode arguments, ToolContext context);
}
