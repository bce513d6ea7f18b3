package ai.sophia.memory;

import java.util.List;
import java.util.Objects;

/**
 * The learned page ranker: a linear model over thirteen features of each candidate page, scaled
 * over the candidates of one query, trained listwise (softmax cross-entropy of the answering pages
 * among each question's candidates) on the tune halves of the labelled sets, its L2 penalty chosen
 * by cross-validation inside them ({@code bench/retrieval.sh --lab true}, {@code RankingLab};
 * BENCHMARKS.md, "Retrieval quality"). The features, in {@link #STANDARD}'s order:
 *
 * <ol>
 *   <li>page BM25 / the candidates' maximum;
 *   <li>best passage BM25 / maximum;
 *   <li>closest passage cosine, min-max over the candidates' closest cosines;
 *   <li>page centroid cosine, as it is;
 *   <li>1 / BM25 rank (0 without a BM25 match);
 *   <li>1 / vector rank;
 *   <li>closest passage cosine, as it is;
 *   <li>term coverage;
 *   <li>second closest passage cosine, min-max as (3);
 *   <li>mean of the two closest cosines, min-max as (3);
 *   <li>soft maximum of all the page's cosines, min-max as (3);
 *   <li>mean BM25 of the two best passages / maximum;
 *   <li>log(1 + the page's passages).
 * </ol>
 *
 * <p>A page's relevance is exp(z − z_max) with z = w · features: the best candidate has 1, the
 * others their softmax share relative to it. A question (not keywords) is ranked twice, the second
 * time with pseudo-relevance feedback ({@link PageFusion#feedback}). Not the default ({@link
 * PageFusion#learned()} says why): the benchmark ranks with it beside {@link
 * PageFusion#standard()}.
 */
public final class LearnedFusion implements PageFusion {
  /**
   * The feedback weight for a question ({@link PageFusion#feedback}); keywords get none. Chosen on
   * the tune halves among 0, 0.5, 1 and 2 (BENCHMARKS.md, "Pseudo-relevance feedback").
   */
  static final double QUESTION_FEEDBACK = 1.0;

  /** Fitted on all-MiniLM-L6-v2's index of the PostgreSQL 15 manual (BENCHMARKS.md). */
  static final LearnedFusion STANDARD =
      new LearnedFusion(
          new double[] {
            -0.21, -1.88, 2.34, 3.44, 0.50, -0.09, 5.85, 2.71, 1.29, 1.81, 0.40, 2.56, 0.28
          },
          QUESTION_FEEDBACK);

  private static final int FEATURES = 13;

  private final double[] weights;
  private final double questionFeedback;

  private LearnedFusion(double[] weights, double questionFeedback) {
    if (weights.length != FEATURES) {
      throw new IllegalArgumentException(
          "a learned fusion has " + FEATURES + " weights, not " + weights.length);
    }
    this.weights = weights.clone();
    this.questionFeedback = questionFeedback;
  }

  /**
   * A ranker with other weights, in the order of the class comment, in one pass (the benchmark's).
   */
  public static LearnedFusion of(double... weights) {
    return new LearnedFusion(Objects.requireNonNull(weights, "weights"), 0);
  }

  @Override
  public double feedback(String query) {
    return Style.of(query) == Style.QUESTION ? questionFeedback : 0;
  }

  @Override
  public double[] scores(String query, List<PageSignals> candidates) {
    double maxPage = 1e-9;
    double maxPassage = 1e-9;
    double maxTopTwo = 1e-9;
    double low = Double.MAX_VALUE;
    double high = -Double.MAX_VALUE;
    for (PageSignals s : candidates) {
      maxPage = Math.max(maxPage, s.pageBm25());
      maxPassage = Math.max(maxPassage, s.passageBm25());
      maxTopTwo = Math.max(maxTopTwo, s.passageBm25TopTwo());
      low = Math.min(low, s.cosine());
      high = Math.max(high, s.cosine());
    }
    double range = Math.max(1e-9, high - low);
    double[] z = new double[candidates.size()];
    double best = -Double.MAX_VALUE;
    for (int i = 0; i < z.length; i++) {
      PageSignals s = candidates.get(i);
      double[] f = {
        s.pageBm25() / maxPage,
        s.passageBm25() / maxPassage,
        (s.cosine() - low) / range,
        s.centroid(),
        s.bm25Rank() > 0 ? 1.0 / s.bm25Rank() : 0,
        s.vectorRank() > 0 ? 1.0 / s.vectorRank() : 0,
        s.cosine(),
        s.termCoverage(),
        (s.secondCosine() - low) / range,
        ((s.cosine() + s.secondCosine()) / 2 - low) / range,
        (s.softCosine() - low) / range,
        s.passageBm25TopTwo() / maxTopTwo,
        Math.log(1 + s.passages())
      };
      for (int k = 0; k < FEATURES; k++) {
        z[i] += weights[k] * f[k];
      }
      best = Math.max(best, z[i]);
    }
    for (int i = 0; i < z.length; i++) {
      z[i] = Math.exp(z[i] - best);
    }
    return z;
  }
}
