package ai.sophia.bench;

import ai.sophia.error.SophiaException;

/** A benchmark could not run: a missing corpus, an unreadable question file, a bad argument. */
final class BenchException extends SophiaException {
  BenchException(String message) {
    super(message, true);
  }

  BenchException(String message, Throwable cause) {
    super(message, true, cause);
  }
}
