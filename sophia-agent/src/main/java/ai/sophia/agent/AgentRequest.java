package ai.sophia.agent;

import ai.sophia.error.InvalidInputException;
import ai.sophia.tool.Risk;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a run is asked to do: the person's message, the session to continue ({@code ""}: a new one),
 * the risks the request authorizes up front ({@code authorize: ["write"]}: write tools run without
 * asking a person), the API key it runs for ({@code ""} from the CLI), its delegation depth (0
 * unless another agent asked), and an idempotency key ({@code ""}: none). A run started with a key
 * (a swarm step, say) gives each tool call a key derived from it — the key, the tool and the how
 * many-th call of that tool it is — so that the same step run again after a crash hands a side
 * effecting tool the same key, and the tool does the effect at most once.
 */
public record AgentRequest(
    String input,
    String sessionId,
    Set<Risk> authorize,
    String apiKeyId,
    int depth,
    String idempotencyKey) {
  public static final int MAX_INPUT_CHARS = 8000;

  public AgentRequest {
    Objects.requireNonNull(input, "input");
    if (input.isBlank()) {
      throw new InvalidInputException("input", "input must not be empty");
    }
    if (input.length() > MAX_INPUT_CHARS) {
      throw new InvalidInputException(
          "input", "input is " + input.length() + " characters; the limit is " + MAX_INPUT_CHARS);
    }
    Objects.requireNonNull(sessionId, "sessionId");
    authorize = authorize.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(authorize));
    Objects.requireNonNull(apiKeyId, "apiKeyId");
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be >= 0");
    }
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }

  /** A new conversation, nothing authorized, no API key. */
  public static AgentRequest of(String input) {
    return new AgentRequest(input, "", Set.of(), "", 0, "");
  }

  public AgentRequest withSession(String id) {
    return new AgentRequest(input, id, authorize, apiKeyId, depth, idempotencyKey);
  }

  public AgentRequest withAuthorize(Set<Risk> risks) {
    return new AgentRequest(input, sessionId, risks, apiKeyId, depth, idempotencyKey);
  }

  public AgentRequest withApiKey(String id) {
    return new AgentRequest(input, sessionId, authorize, id, depth, idempotencyKey);
  }

  public AgentRequest withIdempotencyKey(String key) {
    return new AgentRequest(input, sessionId, authorize, apiKeyId, depth, key);
  }

  /** A delegated request: one level deeper, and with no key of its own (its calls are new). */
  AgentRequest atDepth(int value) {
    return new AgentRequest(input, sessionId, authorize, apiKeyId, value, "");
  }

  /** Whether the request itself authorizes tools of {@code risk}; reading is always allowed. */
  public boolean authorizes(Risk risk) {
    return risk == Risk.read || authorize.contains(risk);
  }
}
