package ai.sophia.error;

import java.util.Objects;

/** Input that breaks a rule: names the field at fault (a JSON pointer-ish name or a CLI flag). */
public class InvalidInputException extends SophiaException {
  private final String field;

  public InvalidInputException(String field, String message) {
    super(message, true);
    this.field = Objects.requireNonNull(field, "field");
  }

  /** The offending field, for example {@code query} or {@code sources_limit}. */
  public String field() {
    return field;
  }
}
