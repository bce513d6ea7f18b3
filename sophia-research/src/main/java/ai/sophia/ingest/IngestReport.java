package ai.sophia.ingest;

import java.util.List;

/**
 * What an ingest run read and what it left out. {@code complete} is false when the run stopped
 * early (page limit reached with work left, or interrupted).
 */
public record IngestReport(int pagesRead, List<Skipped> skipped, boolean complete) {
  public IngestReport {
    skipped = List.copyOf(skipped);
  }

  /** A URL or file that was not ingested, and why. */
  public record Skipped(String location, String reason) {}
}
