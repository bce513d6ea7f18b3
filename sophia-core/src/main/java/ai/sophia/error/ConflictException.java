package ai.sophia.error;

/** A request that clashes with the current state, e.g. deciding an approval twice (HTTP 409). */
public class ConflictException extends SophiaException {
  public ConflictException(String message) {
    super(message, true);
  }
}
