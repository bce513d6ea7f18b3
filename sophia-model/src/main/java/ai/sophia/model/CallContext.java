package ai.sophia.model;

import java.util.Objects;

/**
 * Who a model call is for, for accounting and budgets: the API key ({@code ""} from the CLI), the
 * agent ({@code ""} outside one) and the request id that traces it.
 */
public record CallContext(String apiKeyId, String agent, String requestId) {
  public CallContext {
    Objects.requireNonNull(apiKeyId, "apiKeyId");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(requestId, "requestId");
  }

  public static CallContext none() {
    return new CallContext("", "", "");
  }

  public CallContext forAgent(String agentName) {
    return new CallContext(apiKeyId, agentName, requestId);
  }
}
