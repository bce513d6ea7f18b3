package ai.sophia.error;

/** The store or index failed; the message may name internals, so it is not shown to clients. */
public class StorageException extends SophiaException {
  public StorageException(String message) {
    super(message, false);
  }

  public StorageException(String message, Throwable cause) {
    super(message, false, cause);
  }
}
