package ai.sophia.model;

import ai.sophia.error.UnavailableException;
import java.util.List;

/** No model of a policy could answer: every attempt failed, or every model was skipped. */
public final class ModelUnavailableException extends UnavailableException {
  private final List<Attempt> attempts;

  public ModelUnavailableException(String message, List<Attempt> attempts) {
    super(message);
    this.attempts = List.copyOf(attempts);
  }

  public List<Attempt> attempts() {
    return attempts;
  }
}
