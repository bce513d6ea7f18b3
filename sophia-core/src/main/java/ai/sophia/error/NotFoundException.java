package ai.sophia.error;

/** A resource that does not exist. */
public class NotFoundException extends SophiaException {
  public NotFoundException(String message) {
    super(message, true);
  }
}
