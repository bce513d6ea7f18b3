package ai.sophia.error;

/**
 * A request that would spend more than its API key's daily model budget (HTTP 402): refused before
 * any model is asked.
 */
public class BudgetExceededException extends SophiaException {
  public BudgetExceededException(String message) {
    super(message, true);
  }
}
