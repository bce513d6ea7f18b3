package ai.sophia.ingest;

/** Receives ingest progress (the CLI's progress bar): pages done, pages queued, current item. */
@FunctionalInterface
public interface IngestProgress {
  void update(int done, int queued, String current);

  static IngestProgress none() {
    return (done, queued, current) -> {};
  }
}
