package ai.sophia.code;

import ai.sophia.error.ConflictException;

/**
 * The remote refused the push because its branch moved meanwhile (not a fast-forward), or the
 * branch holds other work: a conflict to resolve (HTTP 409), never hidden.
 */
public final class PushConflictException extends ConflictException {
  PushConflictException(String message) {
    super(message);
  }
}
