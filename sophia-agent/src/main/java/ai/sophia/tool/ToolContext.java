package ai.sophia.tool;

import java.util.Objects;

/**
 * Where a tool call comes from: the agent run, the agent, the API key it runs for, and an
 * idempotency key that is the same every time this very call is retried, so a tool with side
 * effects can do them at most once.
 */
public record ToolContext(String runId, String agent, String apiKeyId, String idempotencyKey) {
  public ToolContext {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(apiKeyId, "apiKeyId");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
