package ai.sophia.tool;

import java.util.Objects;

/**
 * Where a tool call comes from: the agent run, the agent and its memory scope, the API key it runs
 * for, an idempotency key that is the same every time this very call is retried (so a tool with
 * side effects can do them at most once), and how deep in a chain of delegations ({@code
 * ask_agent}) the run is: 0 for a run a person started.
 */
public record ToolContext(
    String runId,
    String agent,
    String memoryScope,
    String apiKeyId,
    String idempotencyKey,
    int depth) {
  public ToolContext {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(memoryScope, "memoryScope");
    Objects.requireNonNull(apiKeyId, "apiKeyId");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be >= 0");
    }
  }
}
