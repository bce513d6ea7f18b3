package ai.sophia.error;

/**
 * The root of every exception Sophia throws on purpose. The HTTP edge maps each subclass to a
 * status; {@link #safeMessage()} says whether the message may be shown to a client as it is.
 */
public class SophiaException extends RuntimeException {
  private final boolean safeMessage;

  public SophiaException(String message, boolean safeMessage) {
    super(message);
    this.safeMessage = safeMessage;
  }

  public SophiaException(String message, boolean safeMessage, Throwable cause) {
    super(message, cause);
    this.safeMessage = safeMessage;
  }

  /**
   * An answer rather than a failure (a refused key, a rate limit): thrown often under load and
   * never logged with a trace, so it skips the cost of capturing one.
   */
  protected SophiaException(String message) {
    super(message, null, false, false);
    this.safeMessage = true;
  }

  /** True when {@link #getMessage()} holds nothing a client must not see. */
  public boolean safeMessage() {
    return safeMessage;
  }
}
