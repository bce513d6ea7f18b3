package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.research.ResearchResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTextTest {
  private static ResearchResult.Metadata metadata(int found, String note) {
    return new ResearchResult.Metadata(
        found,
        "local",
        "duckduckgo",
        List.of(),
        "extractive",
        Map.of(),
        Map.of(),
        "high",
        List.of(),
        note,
        null,
        null);
  }

  private static String print(ResearchResult result) {
    StringWriter out = new StringWriter();
    ResultText.print(result, new PrintWriter(out));
    return out.toString();
  }

  @Test
  void print_answered_answerThenNumberedSourcesThenHowItWasMade() {
    ResearchResult result =
        new ResearchResult(
            "r-9",
            "what is rust",
            List.of(
                new ResearchResult.Source(
                    1, "https://doc.rust-lang.org/", "The Rust Book", "s", 0.91, "local", ""),
                new ResearchResult.Source(2, "https://example.org/x", "", "s", 0.5, "", "")),
            "Rust is a language [1] with ownership [2].",
            List.of(),
            metadata(2, ""),
            0.64,
            "2026-01-01T00:00:00Z",
            "");

    assertThat(print(result))
        .isEqualTo(
            "Rust is a language [1] with ownership [2].\n\n"
                + "Sources:\n"
                + "  [1] The Rust Book\n"
                + "      https://doc.rust-lang.org/\n"
                + "      relevance 0.91 · via local\n"
                + "  [2] https://example.org/x\n"
                + "      https://example.org/x\n"
                + "      relevance 0.50\n\n"
                + "engine local · mode extractive · quality 0.64 (high confidence) · id r-9\n");
  }

  @Test
  void print_noSources_saysSoPlainlyWithTheNote() {
    ResearchResult result =
        new ResearchResult(
            "r-0",
            "q",
            List.of(),
            null,
            List.of(),
            metadata(0, "every provider was blocked"),
            0.0,
            "2026-01-01T00:00:00Z",
            "");

    assertThat(print(result))
        .startsWith("No sources found, so no answer")
        .contains("every provider was blocked")
        .doesNotContain("Sources:");
  }

  @Test
  void print_abstainedWithSources_saysNoAnswerWithTheNoteAndListsTheSources() {
    ResearchResult.Metadata abstained =
        new ResearchResult.Metadata(
            1,
            "local",
            "local",
            List.of(),
            "extractive",
            Map.of(),
            Map.of(),
            "low",
            List.of(),
            "None of the sources clearly answers the question.",
            null,
            null);
    ResearchResult result =
        new ResearchResult(
            "r-1",
            "q",
            List.of(new ResearchResult.Source(1, "https://a.org/x", "A", "s", 0.4, "local", "")),
            null,
            List.of(),
            abstained,
            0.41,
            "2026-01-01T00:00:00Z",
            "");

    assertThat(print(result))
        .startsWith("No answer: none of the sources found answers the question clearly.\n\n")
        .contains("None of the sources clearly answers the question.")
        .contains("Sources:\n  [1] A\n")
        .endsWith("quality 0.41 (low confidence) · id r-1\n");
  }
}
