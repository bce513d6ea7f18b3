package ai.sophia.research;

import ai.sophia.model.CallContext;
import java.util.List;
import java.util.Map;

/**
 * Writes the per-source summaries and the cited answer: the extractive writer offline, the model
 * writer when a model is available. Either cites only the sources it is given.
 */
interface AnswerWriter {
  /** {@code context} says whom a model call is for; writers that ask no model ignore it. */
  Written write(String query, float[] queryVector, List<SourceText> sources, CallContext context);

  /** A ranked, fetched source: its citation index and its best passages, best first. */
  record SourceText(int index, String url, String title, List<String> passages) {}

  /**
   * What was written and how: {@code claims} are the answer's sentences with the sources each
   * cites; {@code mode} is {@code model} or {@code extractive}; {@code model} and {@code check} are
   * null when no model was asked; {@code note} says how the answer was made.
   */
  record Written(
      Map<Integer, String> summaries,
      List<Claim> claims,
      String mode,
      ResearchResult.ModelUse model,
      ResearchResult.CitationCheck check,
      String note) {
    static final String EXTRACTIVE_NOTE =
        "Extractive answer: every sentence is quoted from the source it cites.";

    static Written none() {
      return new Written(Map.of(), List.of(), "extractive", null, null, "");
    }

    static Written extractive(Map<Integer, String> summaries, List<Claim> claims) {
      return new Written(summaries, claims, "extractive", null, null, EXTRACTIVE_NOTE);
    }

    /** The same summaries without an answer: research abstains. */
    Written withoutClaims() {
      return new Written(summaries, List.of(), mode, model, check, note);
    }

    /** The same text, made in another way (a fallback) and said so. */
    Written with(ResearchResult.ModelUse model, ResearchResult.CitationCheck check, String note) {
      return new Written(summaries, claims, mode, model, check, note);
    }

    /** The claims with their [n] markers, one after another. */
    String answer() {
      StringBuilder answer = new StringBuilder();
      for (Claim claim : claims) {
        if (!answer.isEmpty()) {
          answer.append(' ');
        }
        answer.append(claim.text());
        claim.sources().forEach(n -> answer.append(" [").append(n).append(']'));
      }
      return answer.toString();
    }
  }

  /** One sentence of the answer and the sources it cites (at least one). */
  record Claim(String text, List<Integer> sources) {
    public Claim {
      sources = List.copyOf(sources);
    }

    static Claim quoted(String text, int source) {
      return new Claim(text, List.of(source));
    }
  }
}
