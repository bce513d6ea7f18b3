package ai.sophia.tool;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

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

  /**
   * True when this very call must be put to a person even though its {@link #risk()} was authorized
   * up front — a commit touching a protected path, say. The runtime asks before {@link #invoke}, so
   * a tool invoked at all had such a call approved. Arguments it cannot read need no approval here
   * ({@link #invoke} refuses them).
   */
  default boolean needsApproval(JsonNode arguments) {
    return false;
  }

  /**
   * Why the tool cannot do anything useful right now although it is installed (e.g. no repository
   * is configured for {@code commit}); empty when it can. Agents that use it report it as degraded.
   */
  default Optional<String> unavailable() {
    return Optional.empty();
  }

  ToolOutput invoke(JsonNode arguments, ToolContext context);
}
