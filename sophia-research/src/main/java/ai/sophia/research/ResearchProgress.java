package ai.sophia.research;

/** Receives research stage updates (CLI progress bar, later server-sent events). */
@FunctionalInterface
public interface ResearchProgress {
  /**
   * A stage update: {@code stage} is searching, fetching, ranking or summarizing; {@code done} and
   * {@code total} count work within the stage (0/0 when not countable).
   */
  void update(String stage, int done, int total);

  static ResearchProgress none() {
    return (stage, done, total) -> {};
  }
}
