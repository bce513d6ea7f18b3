package ai.sophia.research;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CitationCheckerTest {
  private static final List<AnswerWriter.SourceText> SOURCES =
      List.of(
          new AnswerWriter.SourceText(
              1, "https://a.org", "Tides", List.of("Tides are caused by the Moon's gravity.")),
          new AnswerWriter.SourceText(
              2, "https://b.org", "Bread", List.of("Yeast makes bread dough rise.")));

  private final CitationChecker checker = new CitationChecker(new ObjectMapper(), SOURCES);

  @Test
  void check_markersInTextInsideCodeFence_readAsCitationsAndRemovedFromText() {
    CitationChecker.Checked c =
        checker.check(
            """
            ```json
            {"summaries": [], "claims": [{"text": "The Moon's gravity causes tides [1].",
              "sources": []}]}
            ```""");
    assertThat(c.claims())
        .containsExactly(new AnswerWriter.Claim("The Moon's gravity causes tides.", List.of(1)));
    assertThat(c.problems()).isEmpty();
  }

  @Test
  void check_summaries_keptOnlyForGivenSourcesAndValidMarkers() {
    CitationChecker.Checked c =
        checker.check(
            """
            {"summaries": [{"source": 1, "summary": "On tides [1]."},
                           {"source": 2, "summary": "On bread [9]."},
                           {"source": 5, "summary": "Nothing."}],
             "claims": []}""");
    assertThat(c.summaries()).isEqualTo(Map.of(1, "On tides [1]."));
    assertThat(c.acceptable()).isFalse();
    assertThat(c.problems()).containsExactly("the reply has no claims");
  }

  @Test
  void check_claimWithoutCitation_droppedAndNamed() {
    CitationChecker.Checked c =
        checker.check(
            """
            {"summaries": [], "claims": [{"text": "Yeast makes dough rise.", "sources": []},
              {"text": "Yeast makes bread dough rise.", "sources": [2]}]}""");
    assertThat(c.claims()).hasSize(1);
    assertThat(c.dropped()).isEqualTo(1);
    assertThat(c.acceptable()).isTrue();
    assertThat(c.problems()).singleElement().asString().contains("claim 1").contains("no source");
  }

  @Test
  void check_issueWaggleDanceClaims_falseOnesDroppedWithReasonsTrueOneKept() {
    CitationChecker bees =
        new CitationChecker(
            new ObjectMapper(),
            List.of(
                new AnswerWriter.SourceText(
                    1, "https://bees.org", "Bees", List.of(SupportTest.BEES))));
    CitationChecker.Checked c =
        bees.check(
            """
            {"summaries": [], "claims": [
              {"text": "The duration of the waggle run does not encode distance.", "sources": [1]},
              {"text": "The duration of the waggle run encodes distance.", "sources": [1]},
              {"text": "Karl von Frisch decoded the dance language in the 1840s and received a Nobel Prize in 1873.", "sources": [1]}]}""");
    assertThat(c.claims())
        .containsExactly(
            new AnswerWriter.Claim("The duration of the waggle run encodes distance.", List.of(1)));
    assertThat(c.dropped()).isEqualTo(2);
    assertThat(c.problems()).hasSize(2);
    assertThat(c.problems().get(0))
        .startsWith(
            "claim 1 (\"The duration of the waggle run does not encode distance.\") cites [1],"
                + " but source 1 states what the claim denies: \"The duration of the waggle run");
    assertThat(c.problems().get(1))
        .endsWith("cites [1], but source 1 says 1940s, not 1840s, and says 1973, not 1873");
  }

  @Test
  void check_contradictingClaimsBothSeemingSupported_bothDroppedAndSaid() {
    CitationChecker floats =
        new CitationChecker(
            new ObjectMapper(),
            List.of(
                new AnswerWriter.SourceText(
                    1,
                    "https://postgresql.org/docs/15/datatype-numeric.html",
                    "Numeric types",
                    List.of(
                        "The real type has a range of around 1E-37 to 1E+37 with a precision of at"
                            + " least 6 decimal digits. The double precision type has a range of"
                            + " around 1E-307 to 1E+308 with a precision of at least 15 digits."))));
    CitationChecker.Checked c =
        floats.check(
            """
            {"summaries": [], "claims": [
              {"text": "The real type has a precision of at least 6 digits.", "sources": [1]},
              {"text": "The real type has a precision of at least 15 digits.", "sources": [1]},
              {"text": "double precision values range from about 1E-307 to 1E+308.", "sources": [1]}]}""");
    assertThat(c.claims())
        .extracting(AnswerWriter.Claim::text)
        .containsExactly("double precision values range from about 1E-307 to 1E+308.");
    assertThat(c.dropped()).isEqualTo(2);
    assertThat(c.problems())
        .singleElement()
        .asString()
        .startsWith("claim 1 (\"The real type has a precision of at least 6 digits.\") and claim 2")
        .contains("contradict each other (6 against 15)")
        .contains("neither is kept");
  }
}
