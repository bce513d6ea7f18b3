package ai.sophia.bench;

import java.util.List;
import java.util.Locale;

/**
 * Fits research_quality_score's estimate: a logistic regression of "an answering page is among the
 * sources" on the quality components {@link #FEATURES} of the tune-half outcomes (Newton's method
 * with a little L2), then reports the fitted estimate's AUROC on both halves and the abstention
 * threshold that best balances answering when an answering page is among the sources against
 * abstaining when none is, on the tune half. The coefficients it prints are the ones QualityScore
 * carries.
 */
final class ScoreFit {
  static final List<String> FEATURES = List.of("match", "terms", "consensus", "lead", "agree");
  private static final double L2 = 0.001;
  private static final int ITERATIONS = 50;

  private ScoreFit() {}

  /** The intercept, then one weight per feature. */
  static double[] fit(double[][] x, boolean[] y) {
    int d = x[0].length + 1;
    double[] w = new double[d];
    for (int it = 0; it < ITERATIONS; it++) {
      double[] gradient = new double[d];
      double[][] hessian = new double[d][d];
      for (int i = 0; i < x.length; i++) {
        double[] xi = withIntercept(x[i]);
        double p = sigmoid(dot(w, xi));
        for (int a = 0; a < d; a++) {
          gradient[a] += (p - (y[i] ? 1 : 0)) * xi[a];
          for (int b = 0; b < d; b++) {
            hessian[a][b] += p * (1 - p) * xi[a] * xi[b];
          }
        }
      }
      for (int a = 1; a < d; a++) {
        gradient[a] += L2 * x.length * w[a];
        hessian[a][a] += L2 * x.length;
      }
      double[] step = solve(hessian, gradient);
      for (int a = 0; a < d; a++) {
        w[a] -= step[a];
      }
    }
    return w;
  }

  static double estimate(double[] w, double[] x) {
    return sigmoid(dot(w, withIntercept(x)));
  }

  /** Fits on the tune half and prints the coefficients, AUROC per half and the threshold. */
  static String report(List<ResearchQualityReport.Outcome> outcomes) {
    return report(outcomes, FEATURES);
  }

  /** The fit and its figures with the components {@code names}. */
  private static String report(List<ResearchQualityReport.Outcome> outcomes, List<String> names) {
    List<ResearchQualityReport.Outcome> tune =
        outcomes.stream().filter(o -> o.half().equals(ResearchQualityReport.TUNE)).toList();
    List<ResearchQualityReport.Outcome> report =
        outcomes.stream().filter(o -> o.half().equals(ResearchQualityReport.REPORT)).toList();
    double[] w = fit(features(tune, names), labels(tune));
    StringBuilder out = new StringBuilder("Estimate fitted on the tune halves (all sets): ");
    out.append(String.format(Locale.ROOT, "intercept %.3f", w[0]));
    for (int f = 0; f < names.size(); f++) {
      out.append(String.format(Locale.ROOT, ", %s %.3f", names.get(f), w[f + 1]));
    }
    out.append('\n');
    for (var half : List.of(tune, report)) {
      double[] scores = estimates(w, half, names);
      out.append(
          String.format(
              Locale.ROOT,
              "- %s half: AUROC of the fitted estimate %.3f (%d questions)",
              half == tune ? "tune" : "report",
              Calibration.auroc(scores, labels(half)),
              half.size()));
      for (String set : half.stream().map(ResearchQualityReport.Outcome::set).distinct().toList()) {
        var of = half.stream().filter(o -> o.set().equals(set)).toList();
        out.append(
            String.format(
                Locale.ROOT,
                "; %s %.3f",
                set,
                Calibration.auroc(estimates(w, of, names), labels(of))));
      }
      out.append('\n');
    }
    double best = 0;
    double bestBalance = -1;
    double[] scores = estimates(w, tune, names);
    boolean[] positive = labels(tune);
    for (int t = 0; t <= 100; t++) {
      double threshold = t / 100.0;
      double answered = 0;
      double abstained = 0;
      int pos = 0;
      for (int i = 0; i < scores.length; i++) {
        pos += positive[i] ? 1 : 0;
        if (positive[i] && scores[i] >= threshold) {
          answered++;
        } else if (!positive[i] && scores[i] < threshold) {
          abstained++;
        }
      }
      int neg = scores.length - pos;
      double balance = answered / Math.max(1, pos) + abstained / Math.max(1, neg);
      if (balance > bestBalance + 1e-9) {
        bestBalance = balance;
        best = threshold;
      }
    }
    out.append(
        String.format(
            Locale.ROOT,
            "- abstention threshold balancing both errors on the tune half: %.2f%n",
            best));
    return out.toString();
  }

  private static double[][] features(
      List<ResearchQualityReport.Outcome> outcomes, List<String> names) {
    double[][] x = new double[outcomes.size()][];
    for (int i = 0; i < x.length; i++) {
      var q = outcomes.get(i).quality();
      x[i] = names.stream().mapToDouble(f -> q.getOrDefault(f, 0.0)).toArray();
    }
    return x;
  }

  private static boolean[] labels(List<ResearchQualityReport.Outcome> outcomes) {
    boolean[] y = new boolean[outcomes.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = outcomes.get(i).answeringInSources();
    }
    return y;
  }

  private static double[] estimates(
      double[] w, List<ResearchQualityReport.Outcome> outcomes, List<String> names) {
    double[][] x = features(outcomes, names);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = estimate(w, x[i]);
    }
    return out;
  }

  private static double[] withIntercept(double[] x) {
    double[] out = new double[x.length + 1];
    out[0] = 1;
    System.arraycopy(x, 0, out, 1, x.length);
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /** Solves {@code a·x = b} by Gaussian elimination with partial pivoting. */
  private static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][n + 1];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n] = b[i];
    }
    for (int c = 0; c < n; c++) {
      int pivot = c;
      for (int r = c + 1; r < n; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
          pivot = r;
        }
      }
      double[] swap = m[c];
      m[c] = m[pivot];
      m[pivot] = swap;
      for (int r = 0; r < n; r++) {
        if (r != c && m[c][c] != 0) {
          double f = m[r][c] / m[c][c];
          for (int k = c; k <= n; k++) {
            m[r][k] -= f * m[c][k];
          }
        }
      }
    }
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = m[i][i] == 0 ? 0 : m[i][n] / m[i][i];
    }
    return x;
  }
}
