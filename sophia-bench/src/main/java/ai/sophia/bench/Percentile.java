package ai.sophia.bench;

import java.util.Arrays;

/** Nearest-rank percentiles, the definition benchmark reports usually mean. */
final class Percentile {
  private Percentile() {}

  /** The {@code p} percentile (0 < p <= 1) of {@code values}, which need not be sorted. */
  static double of(double[] values, double p) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
