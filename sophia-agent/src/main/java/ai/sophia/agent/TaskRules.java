package ai.sophia.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Rule-based planning, for when no model is available: a task split into sub-tasks at sentence
 * ends, semicolons and "then", each routed by keywords to the analysis agent (analysing what is
 * known already) or the research agent (everything else). The offline coordinator agent and the
 * swarm coordinator both plan this way.
 */
public final class TaskRules {
  private static final Pattern SPLIT =
      Pattern.compile("(?i)(?<=[.?!;])\\s+|\\s*;\\s*|\\s+(?:and then|then|and also)\\s+");
  private static final Pattern ANALYSIS_WORDS =
      Pattern.compile(
          "(?i)\\b(analy[sz]\\w*|compar\\w*|summar\\w*|evaluat\\w*|assess\\w*|review\\w*|digest"
              + "|what do we know|in memory|trend\\w*)\\b");
  private static final Pattern LEADING =
      Pattern.compile("(?i)^(?:and then|then|and also|and|also)\\s+");

  /** At most this many sub-tasks. */
  public static final int MAX_SUBTASKS = 5;

  private TaskRules() {}

  /** Sub-tasks: the task split at sentence ends, semicolons and "then", at most five. */
  public static List<String> split(String task) {
    List<String> parts = new ArrayList<>();
    for (String p : SPLIT.split(task.strip())) {
      String s = LEADING.matcher(p.strip()).replaceFirst("");
      if (s.length() >= 3 && parts.size() < MAX_SUBTASKS) {
        parts.add(s);
      }
    }
    return parts.isEmpty() ? List.of(task.strip()) : parts;
  }

  /** {@code analysis} for analysing what is known already, {@code research} for the rest. */
  public static String route(String subtask) {
    return ANALYSIS_WORDS.matcher(subtask.toLowerCase(Locale.ROOT)).find()
        ? "analysis"
        : "research";
  }
}
