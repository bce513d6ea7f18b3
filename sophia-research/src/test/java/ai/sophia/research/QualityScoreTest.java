package ai.sophia.research;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QualityScoreTest {
  private static final String QUERY = "how do I stop a query that runs too long";
  private static final String ANSWERING =
      "statement_timeout: abort any statement that takes more than the specified amount of time,"
          + " so a query that runs too long is stopped.";

  private static ResearchResult.Source source(int n, String url) {
    return new ResearchResult.Source(n, url, "t", "s", 0.5, "local", "");
  }

  private static Map<String, Double> score(
      double cosine, int bm25Rank, int vectorRank, List<AnswerWriter.Claim> claims) {
    return QualityScore.compute(
        new QualityScore.Inputs(
            QUERY,
            1,
            true,
            List.of(source(1, "https://a.org/x")),
            Map.of(1, new QualityScore.Evidence(cosine, 0.9, bm25Rank, vectorRank)),
            0.05,
            claims,
            Map.of(1, ANSWERING)));
  }

  private static final List<AnswerWriter.Claim> QUOTED =
      List.of(AnswerWriter.Claim.quoted("a query that runs too long is stopped.", 1));

  @Test
  void compute_noSources_isZero() {
    Map<String, Double> q =
        QualityScore.compute(
            new QualityScore.Inputs(QUERY, 3, true, List.of(), Map.of(), 0, List.of(), Map.of()));
    assertThat(q.get("score")).isZero();
  }

  @Test
  void compute_components_measuredFromTheEvidence() {
    Map<String, Double> q = score(0.62, 1, 2, QUOTED);

    assertThat(q.get("match")).isEqualTo(0.62);
    assertThat(q.get("consensus")).isEqualTo(0.5);
    assertThat(q.get("agree")).isEqualTo(0.5);
    assertThat(q.get("coverage")).isEqualTo(1.0);
    assertThat(q.get("support")).isEqualTo(1.0);
    assertThat(q.get("terms")).isEqualTo(0.9);
  }

  @Test
  void compute_closerPassageAndAgreeingRankings_scoreHigher() {
    double weak = score(0.30, 5, 4, QUOTED).get("score");
    double closer = score(0.60, 5, 4, QUOTED).get("score");
    double agreeing = score(0.60, 1, 1, QUOTED).get("score");

    assertThat(closer).isGreaterThan(weak);
    assertThat(agreeing).isGreaterThan(closer);
    assertThat(QualityScore.confidence(weak)).isEqualTo("low");
  }

  @Test
  void compute_firstSourceWithoutBm25Match_agreesNotAtAll() {
    assertThat(score(0.62, 0, 1, QUOTED).get("agree")).isZero();
    assertThat(score(0.62, 3, 1, QUOTED).get("agree")).isCloseTo(0.333, within(1e-9));
  }

  @Test
  void compute_claimTheSourceDoesNotHold_lowersTheScore() {
    List<AnswerWriter.Claim> mixed =
        List.of(
            QUOTED.getFirst(), AnswerWriter.Claim.quoted("An invented sentence nobody wrote.", 1));

    Map<String, Double> q = score(0.6, 1, 1, mixed);

    assertThat(q.get("support")).isEqualTo(0.5);
    assertThat(q.get("score")).isLessThan(score(0.6, 1, 1, QUOTED).get("score") * 0.51);
  }

  @Test
  void compute_modelClaimSharingTooFewWords_isUnsupported() {
    Map<String, Double> q =
        QualityScore.compute(
            new QualityScore.Inputs(
                QUERY,
                1,
                false,
                List.of(source(1, "https://a.org/x")),
                Map.of(1, new QualityScore.Evidence(0.6, 0.9, 1, 1)),
                0.05,
                List.of(new AnswerWriter.Claim("Bread rises because of yeast.", List.of(1))),
                Map.of(1, ANSWERING)));

    assertThat(q.get("support")).isZero();
    assertThat(q.get("score")).isZero();
  }
}
