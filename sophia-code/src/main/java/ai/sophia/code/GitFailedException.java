package ai.sophia.code;

import ai.sophia.error.SophiaException;

/**
 * Git could not clone, fetch or push (unreachable remote, refused credentials). The message is
 * redacted — it never holds a token — and safe to show (HTTP 502).
 */
public final class GitFailedException extends SophiaException {
  GitFailedException(String message) {
    super(message, true);
  }
}
