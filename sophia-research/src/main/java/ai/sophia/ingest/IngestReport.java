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

  /** Why nothing was read, for a run with no page read: the first skipped item and its reason. */
  public String whyNothingRead() {
    if (skipped.isEmpty()) {
      return "no page or file was found to read";
    }
    Skipped first = skipped.getFirst();
    String more = skipped.size() == 1 ? "" : " (and " + (skipped.size() - 1) + " more skipped)";
    return first.location() + " — " + first.reason() + more;
  }

  /** A URL or file that was not ingested, and why. */
  public record Skipped(String location, String reason) {}
}
