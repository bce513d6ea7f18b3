package ai.sophia.error;

import java.util.List;

/** Configuration that cannot be used; lists every problem found, each naming its key. */
public class ConfigException extends SophiaException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super("invalid configuration:\n  - " + String.join("\n  - ", problems), true);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
