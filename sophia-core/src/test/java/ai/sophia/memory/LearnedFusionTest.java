package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LearnedFusionTest {
  private static final PageSignals CLOSE =
      new PageSignals(8.0, 6.0, 0.62, 0.55, 0.9, 1, 1, 0.58, 0.64, 5.0, 4);
  private static final PageSignals FAR =
      new PageSignals(3.0, 2.0, 0.31, 0.20, 0.4, 2, 2, 0.25, 0.31, 1.5, 9);

  @Test
  void scores_closerPage_rankedFirstWithRelevanceOne() {
    double[] scores = PageFusion.learned().scores("statement timeout", List.of(FAR, CLOSE));

    assertThat(scores[1]).isEqualTo(1.0);
    assertThat(scores[0]).isBetween(0.0, 0.5);
  }

  @Test
  void scores_noCandidates_empty() {
    assertThat(PageFusion.learned().scores("anything", List.of())).isEmpty();
  }

  @Test
  void of_wrongNumberOfWeights_refused() {
    assertThatThrownBy(() -> LearnedFusion.of(1, 2, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("13 weights");
  }
}
