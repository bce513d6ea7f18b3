package ai.sophia.server.routes;

import ai.sophia.agent.AgentRequest;
import ai.sophia.error.InvalidInputException;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Request bodies of the agent API as they arrive; their components are the only fields allowed.
 * Absent optional fields are null until validated.
 */
final class AgentBodies {
  static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  private AgentBodies() {}

  /** {@code POST /api/v1/agents/{name}/run}. */
  record Run(
      String input,
      String sessionId,
      List<String> authorize,
      @JsonProperty("wait") Boolean waitForResult) {
    AgentRequest validate(String apiKeyId) {
      return request(input, "input", sessionId, authorize, apiKeyId);
    }

    boolean waits() {
      return Boolean.TRUE.equals(waitForResult);
    }
  }

  /**
   * {@code POST /api/v1/intelligence/query} (SPEC §2); {@code agent_type} defaults to {@link
   * #GENERAL}.
   */
  record Query(String query, String agentType, String sessionId, List<String> authorize) {
    /** The built-in agent that routes a query itself. */
    static final String GENERAL = "general";

    AgentRequest validate(String apiKeyId) {
      return request(query, "query", sessionId, authorize, apiKeyId);
    }

    String agent() {
      return agentType == null ? GENERAL : agentType;
    }
  }

  /** {@code POST /api/v1/approvals/{id}}. */
  record Decision(String decision, String reason) {
    boolean granted() {
      if ("grant".equals(decision)) {
        return true;
      }
      if ("deny".equals(decision)) {
        return false;
      }
      throw new InvalidInputException(
          "decision", "decision is required and must be grant or deny, got " + quoted(decision));
    }

    String validReason() {
      if (reason != null && reason.length() > 1000) {
        throw new InvalidInputException("reason", "reason is at most 1000 characters");
      }
      return reason == null ? "" : reason.strip();
    }
  }

  static String id(String field, String value) {
    if (!ID.matcher(value).matches()) {
      throw new InvalidInputException(field, field + " is 1 to 100 letters, digits, '-' or '_'");
    }
    return value;
  }

  private static AgentRequest request(
      String input, String field, String sessionId, List<String> authorize, String apiKeyId) {
    if (input == null || input.isBlank()) {
      throw new InvalidInputException(field, field + " is required and must not be blank");
    }
    if (input.length() > AgentRequest.MAX_INPUT_CHARS) {
      throw new InvalidInputException(
          field,
          field
              + " is "
              + input.length()
              + " characters; the limit is "
              + AgentRequest.MAX_INPUT_CHARS);
    }
    String session = sessionId == null ? "" : id("session_id", sessionId);
    return AgentRequest.of(input)
        .withSession(session)
        .withAuthorize(risks(authorize))
        .withApiKey(apiKeyId);
  }

  private static Set<Risk> risks(List<String> authorize) {
    if (authorize == null) {
      return Set.of();
    }
    Set<Risk> risks = EnumSet.noneOf(Risk.class);
    for (int i = 0; i < authorize.size(); i++) {
      risks.add(Risk.authorizable(authorize.get(i), "authorize[" + i + "]"));
    }
    return risks;
  }

  private static String quoted(String value) {
    return value == null ? "nothing" : "'" + value + "'";
  }
}
