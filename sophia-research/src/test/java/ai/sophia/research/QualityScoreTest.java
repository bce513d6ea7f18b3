package ai.sophia.research;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QualityScoreTest {
  private static ResearchResult.Source source(int n, String url, double relevance) {
    return new ResearchResult.Source(n, url, "t", "s", relevance, "local", "");
  }

  @Test
  void compute_noSources_isZero() {
    Map<String, Double> q =
        QualityScore.compute(new QualityScore.Inputs(3, true, List.of(), List.of(), Map.of()));
    assertThat(q.get("score")).isZero();
  }

  @Test
  void compute_supportedAnswerFromDistinctHosts_weighsEachComponent() {
    var sources = List.of(source(1, "https://a.org/x", 0.8), source(2, "https://b.org/y", 0.6));
    var claims =
        List.of(
            AnswerWriter.Claim.quoted("The sky is blue on clear days.", 1),
            AnswerWriter.Claim.quoted("An invented sentence nobody wrote.", 2));
    var texts = Map.of(1, "Intro.  The sky is   blue on clear days. More.", 2, "Unrelated text.");
    Map<String, Double> q =
        QualityScore.compute(new QualityScore.Inputs(4, true, sources, claims, texts));
    assertThat(q.get("coverage")).isEqualTo(0.5);
    assertThat(q.get("relevance")).isEqualTo(0.7);
    assertThat(q.get("diversity")).isEqualTo(1.0);
    assertThat(q.get("support")).isEqualTo(0.5);
    assertThat(q.get("score"))
        .isEqualTo(QualityScore.round(0.3 * 0.7 + 0.25 * 0.5 + 0.2 + 0.25 * 0.5));
  }

  @Test
  void compute_sameHostTwice_halvesDiversity() {
    var sources = List.of(source(1, "https://a.org/x", 1), source(2, "https://A.org/y", 1));
    var claims = List.of(AnswerWriter.Claim.quoted("quoted sentence here", 1));
    Map<String, Double> q =
        QualityScore.compute(
            new QualityScore.Inputs(2, true, sources, claims, Map.of(1, "a quoted sentence here")));
    assertThat(q.get("diversity")).isEqualTo(0.5);
    assertThat(q.get("support")).isEqualTo(1.0);
  }

  @Test
  void compute_modelClaims_supportedWhenEveryCitedSourceSharesTheirContentWords() {
    var sources = List.of(source(1, "https://a.org/x", 1), source(2, "https://b.org/y", 1));
    var texts =
        Map.of(
            1, "Tides are caused by the gravitational pull of the Moon and the Sun.",
            2, "Bread rises because yeast releases carbon dioxide.");
    var claims =
        List.of(
            new AnswerWriter.Claim("The Moon's gravitational pull causes tides.", List.of(1)),
            new AnswerWriter.Claim("The Sun's pull causes tides.", List.of(1, 2)));
    Map<String, Double> q =
        QualityScore.compute(new QualityScore.Inputs(2, false, sources, claims, texts));
    assertThat(q.get("support")).isEqualTo(0.5);
  }
}
