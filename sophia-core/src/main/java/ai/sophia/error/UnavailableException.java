package ai.sophia.error;

/** A dependency Sophia needs is down or refusing work (HTTP 503). */
public class UnavailableException extends SophiaException {
  public UnavailableException(String message) {
    super(message, true);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, true, cause);
  }
}
