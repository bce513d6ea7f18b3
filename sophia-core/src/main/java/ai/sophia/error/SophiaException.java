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

  /** True when {@link #getMessage()} holds nothing a client must not see. */
  public boolean safeMessage() {
    return safeMessage;
  }
}
