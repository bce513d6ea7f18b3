package ai.sophia.swarm;

import ai.sophia.error.InvalidInputException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a swarm works (SPEC §3): a research swarm broadcasts sub-tasks to agents in parallel and
 * gathers their answers; a development swarm is a pipeline research/analysis → validation → commit
 * → deployment; a monitoring swarm asks its agents in turn (round robin), one round per interval.
 */
public enum SwarmPattern {
  research,
  development,
  monitoring;

  private static final Pattern DEVELOPMENT =
      Pattern.compile(
          "(?i)\\b(commit\\w*|deploy\\w*|implement\\w*|refactor\\w*|pull request|fix (the|a) bug"
              + "|release|ship)\\b");
  private static final Pattern MONITORING =
      Pattern.compile(
          "(?i)\\b(monitor\\w*|watch\\w*|keep an eye|every \\d+|periodic\\w*|poll\\w*)\\b");

  /** The engine's name for this pattern's graph. */
  String graph() {
    return "swarm." + name();
  }

  /** The pattern a task asks for by its words: monitoring, development, else research. */
  public static SwarmPattern choose(String task) {
    if (MONITORING.matcher(task).find()) {
      return monitoring;
    }
    return DEVELOPMENT.matcher(task).find() ? development : research;
  }

  /**
   * @throws InvalidInputException naming {@code field} when {@code name} is no pattern
   */
  public static SwarmPattern parse(String name, String field) {
    try {
      return valueOf(name.strip().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          field, field + " is research, development or monitoring; got '" + name + "'");
    }
  }
}
