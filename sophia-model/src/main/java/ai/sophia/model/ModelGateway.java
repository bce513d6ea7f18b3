package ai.sophia.model;

import ai.sophia.health.HealthCheck;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every model call Sophia makes goes through here. A call walks its {@link ModelPolicy}: each model
 * is tried (with retries on errors, timeouts and rate limits, backing off with jitter and honouring
 * Retry-After) unless its circuit is open or its provider has no credentials, then the next. Every
 * attempt is accounted (tokens, cost, per agent and API key); a call that would exceed its key's
 * daily budget is refused before any model is asked.
 */
public interface ModelGateway {
  /** The policy used when an agent names none ({@code models.default_chain}). */
  ModelPolicy defaultPolicy();

  /**
   * Whether any model of {@code policy} can be called (its provider has credentials and Sophia is
   * not in offline mode). When false, callers work offline and say so ({@code mode}).
   */
  boolean available(ModelPolicy policy);

  /**
   * Asks the first model of {@code policy} that answers.
   *
   * @throws ModelUnavailableException when every model failed or was skipped; it lists the attempts
   * @throws ai.sophia.error.BudgetExceededException when the key's daily budget is spent
   */
  ModelReply chat(ModelPolicy policy, ModelRequest request, CallContext context);

  /**
   * Like {@link #chat} but streams the answer's text to {@code onToken} as it arrives. A model that
   * fails before its first token is replaced by the next; one that fails after it is not (the
   * caller has already shown its words), and the call fails.
   */
  ModelReply stream(
      ModelPolicy policy, ModelRequest request, CallContext context, Consumer<String> onToken);

  /** One check per configured provider, for /health (never a paid call). */
  List<HealthCheck> healthChecks();
}
