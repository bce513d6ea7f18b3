package ai.sophia.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PercentileTest {
  @Test
  void of_unsortedValues_usesNearestRank() {
    double[] values = {50, 10, 40, 20, 30, 60, 70, 80, 90, 100};

    assertThat(Percentile.of(values, 0.5)).isEqualTo(50);
    assertThat(Percentile.of(values, 0.95)).isEqualTo(100);
    assertThat(Percentile.of(values, 0.1)).isEqualTo(10);
    assertThat(values[0]).as("input left as it was").isEqualTo(50);
  }
}
