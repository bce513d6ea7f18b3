package ai.sophia.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * How well a score tells positives from negatives: the AUROC (the Mann–Whitney statistic, the
 * chance that a random positive scores above a random negative, ties counting half) and a
 * reliability table (the share of positives in each score bucket of width 0.1).
 */
final class Calibration {
  static final int BUCKETS = 10;

  private Calibration() {}

  /** One bucket {@code [low, low + 0.1)} (the last one includes 1): its count and positives. */
  record Bucket(double low, int count, int positives) {
    double share() {
      return count == 0 ? Double.NaN : (double) positives / count;
    }
  }

  /**
   * The AUROC of {@code scores} for {@code positive}; NaN when there is no positive or no negative,
   * since then the score separates nothing.
   */
  static double auroc(double[] scores, boolean[] positive) {
    check(scores, positive);
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < scores.length; i++) {
      if (!positive[i]) {
        continue;
      }
      for (int j = 0; j < scores.length; j++) {
        if (positive[j]) {
          continue;
        }
        pairs++;
        if (scores[i] > scores[j]) {
          wins += 1;
        } else if (scores[i] == scores[j]) {
          wins += 0.5;
        }
      }
    }
    return pairs == 0 ? Double.NaN : wins / pairs;
  }

  /** Ten buckets of width 0.1 over [0, 1]; scores outside are clamped into the end buckets. */
  static List<Bucket> reliability(double[] scores, boolean[] positive) {
    check(scores, positive);
    int[] counts = new int[BUCKETS];
    int[] positives = new int[BUCKETS];
    for (int i = 0; i < scores.length; i++) {
      int b = (int) Math.floor(scores[i] * BUCKETS + 1e-9);
      b = Math.max(0, Math.min(BUCKETS - 1, b));
      counts[b]++;
      positives[b] += positive[i] ? 1 : 0;
    }
    List<Bucket> out = new ArrayList<>();
    for (int b = 0; b < BUCKETS; b++) {
      out.add(new Bucket(b / (double) BUCKETS, counts[b], positives[b]));
    }
    return out;
  }

  private static void check(double[] scores, boolean[] positive) {
    if (scores.length != positive.length) {
      throw new IllegalArgumentException(
          scores.length + " scores but " + positive.length + " labels");
    }
  }
}
