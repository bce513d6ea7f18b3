package ai.sophia.error;

/** Valid credentials whose role does not allow the operation (HTTP 403). */
public class ForbiddenException extends SophiaException {
  public ForbiddenException(String message) {
    super(message, true);
  }
}
