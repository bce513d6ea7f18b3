package ai.sophia.cli;

import ai.sophia.research.ResearchResult;
import java.io.PrintWriter;

/** A research result as plain text: the answer, the numbered sources, and how it was made. */
final class ResultText {
  private ResultText() {}

  static void print(ResearchResult result, PrintWriter out) {
    String note = result.metadata() == null ? null : result.metadata().note();
    if (result.sources().isEmpty()) {
      out.println("No sources found, so no answer: Sophia does not answer without sources.");
      if (note != null && !note.isBlank()) {
        out.println(note);
      }
    } else {
      if (result.answer() == null) {
        out.println("No answer: none of the sources found answers the question clearly.");
      } else {
        out.println(result.answer());
      }
      boolean low = result.metadata() != null && "low".equals(result.metadata().confidence());
      if ((result.answer() == null || low) && note != null && !note.isBlank()) {
        out.println();
        out.println(note);
      }
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
    String confidence = meta == null || meta.confidence() == null ? "" : meta.confidence();
    out.printf(
        "engine %s · mode %s · quality %.2f%s · id %s%n",
        meta == null ? "?" : meta.searchEngine(),
        meta == null ? "?" : meta.mode(),
        result.researchQualityScore(),
        confidence.isEmpty() ? "" : " (" + confidence + " confidence)",
        result.id());
  }

  private static String via(ResearchResult.Source source) {
    return source.source() == null || source.source().isBlank() ? "" : " · via " + source.source();
  }
}
