package ai.sophia.error;

/** A request without valid credentials (HTTP 401). */
public class UnauthorizedException extends SophiaException {
  public UnauthorizedException(String message) {
    super(message);
  }
}
