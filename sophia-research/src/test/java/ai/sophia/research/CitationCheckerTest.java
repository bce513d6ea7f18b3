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
}
