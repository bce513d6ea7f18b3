package ai.sophia.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationTest {
  @Test
  void auroc_perfectSeparation_isOne() {
    double[] scores = {0.9, 0.8, 0.2, 0.1};
    boolean[] positive = {true, true, false, false};

    assertThat(Calibration.auroc(scores, positive)).isEqualTo(1.0);
  }

  @Test
  void auroc_reversedScores_isZero() {
    double[] scores = {0.1, 0.2, 0.8, 0.9};
    boolean[] positive = {true, true, false, false};

    assertThat(Calibration.auroc(scores, positive)).isEqualTo(0.0);
  }

  @Test
  void auroc_tiesAndMixedOrder_countTiesHalf() {
    // Positives 0.8, 0.5; negatives 0.5, 0.3, 0.9. Pairs: 0.8 beats 0.5 and 0.3, loses to 0.9
    // (2 wins); 0.5 ties 0.5, beats 0.3, loses to 0.9 (1.5 wins). 3.5 of 6 pairs.
    double[] scores = {0.8, 0.5, 0.5, 0.3, 0.9};
    boolean[] positive = {true, true, false, false, false};

    assertThat(Calibration.auroc(scores, positive)).isCloseTo(3.5 / 6, within(1e-12));
  }

  @Test
  void auroc_allTied_isOneHalf() {
    assertThat(Calibration.auroc(new double[] {0.4, 0.4, 0.4}, new boolean[] {true, false, true}))
        .isEqualTo(0.5);
  }

  @Test
  void auroc_onlyPositives_isNaN() {
    assertThat(Calibration.auroc(new double[] {0.4, 0.6}, new boolean[] {true, true})).isNaN();
  }

  @Test
  void reliability_scoresAcrossBuckets_countsAndSharesPerBucket() {
    double[] scores = {0.05, 0.12, 0.18, 0.5, 1.0, 0.95};
    boolean[] positive = {false, true, false, true, true, false};

    List<Calibration.Bucket> buckets = Calibration.reliability(scores, positive);

    assertThat(buckets).hasSize(10);
    assertThat(buckets.get(0)).isEqualTo(new Calibration.Bucket(0.0, 1, 0));
    assertThat(buckets.get(1)).isEqualTo(new Calibration.Bucket(0.1, 2, 1));
    assertThat(buckets.get(1).share()).isEqualTo(0.5);
    assertThat(buckets.get(5)).isEqualTo(new Calibration.Bucket(0.5, 1, 1));
    assertThat(buckets.get(9))
        .as("1.0 falls in the last bucket")
        .isEqualTo(new Calibration.Bucket(0.9, 2, 1));
    assertThat(buckets.get(3).share()).isNaN();
  }
}
