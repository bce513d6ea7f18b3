package ai.sophia.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RetrievalReportTest {
  private static ModelRun run(String ranking, String model, List<Integer> ranks) {
    int[] array = ranks.stream().mapToInt(Integer::intValue).toArray();
    return new ModelRun(ranking, model, Scores.of(array), 10, 5, 9, ranks);
  }

  @Test
  void signTest_knownSplits_matchBinomialTails() {
    assertThat(RetrievalReport.signTest(10, 1)).isCloseTo(0.01172, within(1e-5));
    assertThat(RetrievalReport.signTest(3, 3)).isEqualTo(1.0);
    assertThat(RetrievalReport.signTest(0, 0)).isEqualTo(1.0);
  }

  @Test
  void versus_rankingsDisagreeAtTop3_countsEachSide() {
    ModelRun baseline = run("bm25-pages", "", List.of(1, 4, 0, 2, 5));
    ModelRun hybrid = run("hybrid", "m", List.of(1, 2, 3, 0, 1));

    String line = RetrievalReport.versus(baseline, List.of(hybrid));

    assertThat(line).contains("only by the first on 3 questions, only by the baseline on 1");
  }

  @Test
  void markdown_rowsPerRunAndHalf_withLabelsAndScores() {
    String md =
        RetrievalReport.markdown(
            List.of(run("bm25-pages", "", List.of(1, 0)), run("sophia", "m", List.of(1, 2))));

    assertThat(md)
        .contains("| BM25, whole pages (baseline) | — | tune (1) | 1.000 | 1.000 | 1.000 | 1.000 |")
        .contains(
            "| BM25, whole pages (baseline) | — | report (1) | 0.000 | 0.000 | 0.000 | 0.000 |")
        .contains(
            "| **Sophia, page ranking (local engine)** | m | report (1) | 0.000 | 1.000 | 1.000 | 0.500 |")
        .contains(
            "| **Sophia, page ranking (local engine)** | m | all (2) | 0.500 | 1.000 | 1.000 | 0.750 |");
  }
}
