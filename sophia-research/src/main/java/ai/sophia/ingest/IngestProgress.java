package ai.sophia.ingest;

/**
 * Receives ingest progress: pages done, pages queued and the current item (the CLI's progress bar),
 * and what has been stored so far (the API's ingest events).
 */
@FunctionalInterface
public interface IngestProgress {
  void update(int done, int queued, String current);

  /**
   * After each page read: how many pages were new or changed ({@code stored}), how many were
   * unchanged, and how many passages have been indexed so far. Listeners that only draw a progress
   * bar ignore it.
   */
  default void stored(int stored, int unchanged, int passages) {}

  static IngestProgress none() {
    return (done, queued, current) -> {};
  }
}
