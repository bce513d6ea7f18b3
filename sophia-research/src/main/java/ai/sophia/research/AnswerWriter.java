package ai.sophia.research;

import java.util.List;
import java.util.Map;

/**
 * Writes the per-source summaries and the cited answer. The extractive writer is the offline one; a
 * model-backed writer (a later issue) implements the same seam and must cite only the sources it is
 * given.
 */
interface AnswerWriter {
  /** The {@code mode} a response reports, e.g. {@code extractive}. */
  String mode();

  Written write(String query, float[] queryVector, List<SourceText> sources);

  /** A ranked, fetched source: its citation index and its best passages, best first. */
  record SourceText(int index, String url, String title, List<String> passages) {}

  /**
   * What was written. {@code claims} are the answer's sentences, each with the source index it
   * cites; {@code answer} is their rendering with [n] markers.
   */
  record Written(Map<Integer, String> summaries, List<Claim> claims, String answer) {}

  /** One sentence of the answer and the source it cites. */
  record Claim(String text, int sourceIndex) {}
}
