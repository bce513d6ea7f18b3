package ai.sophia.tool;

import ai.sophia.error.InvalidInputException;

/**
 * How much harm a tool can do. Reading tools run freely; writing tools (a commit) and deploying
 * tools run only when the request authorized that risk or a person approved the call.
 */
public enum Risk {
  read,
  write,
  deploy;

  /**
   * A risk a request may authorize up front: {@code write} or {@code deploy} (reading needs no
   * authorization).
   *
   * @throws InvalidInputException naming {@code field} for anything else
   */
  public static Risk authorizable(String name, String field) {
    if ("write".equals(name)) {
      return write;
    }
    if ("deploy".equals(name)) {
      return deploy;
    }
    throw new InvalidInputException(
        field,
        field
            + " lists the risks to allow without asking: write, deploy; got "
            + (name == null ? "nothing" : "'" + name + "'"));
  }
}
