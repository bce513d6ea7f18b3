package ai.sophia.cli;

import ai.sophia.research.ResearchResult;
import java.io.PrintWriter;

/** A research result as plain text: the answer, the numbered sources, and how it was made. */
final class ResultText {
  private ResultText() {}

  static void print(ResearchResult result, PrintWriter out) {
    if (result.answer() == null || result.sources().isEmpty()) {
      out.println("No sources found, so no answer: Sophia does not answer without sources.");
      String note = result.metadata() == null ? null : result.metadata().note();
      if (note != null && !note.isBlank()) {
        out.println(note);
      }
    } else {
      out.println(result.answer());
      out.println();
      out.println("Sources:");
      for (ResearchResult.Source source : result.sources()) {
        out.printf(
            "  [%d] %s%n",
            source.index(), source.title().isBlank() ? source.url() : source.title());
        out.printf("      %s%n", source.url());
        out.printf("      relevance %.2f%s%n", source.relevanceScore(), via(source));
      }
    }
    out.println();
    ResearchResult.Metadata meta = result.metadata();
    out.printf(
        "engine %s · mode %s · quality %.2f · id %s%n",
        meta == null ? "?" : meta.searchEngine(),
        meta == null ? "?" : meta.mode(),
        result.researchQualityScore(),
        result.id());
  }

  private static String via(ResearchResult.Source source) {
    return source.source() == null || source.source().isBlank() ? "" : " · via " + source.source();
  }
}
