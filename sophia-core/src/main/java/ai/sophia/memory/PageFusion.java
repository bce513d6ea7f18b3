package ai.sophia.memory;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a page search turns what it measured about the candidate pages ({@link PageSignals}) into one
 * relevance per page in [0, 1], relative to the other candidates of the query. Two kinds: {@link
 * Blend}, a fixed linear blend mixed with reciprocal-rank fusion ({@link #standard()}, how Sophia
 * ranks), and {@link LearnedFusion}, a linear model learned on the labelled sets ({@link
 * #learned()}, measured beside it). BENCHMARKS.md, "Retrieval quality", measures both.
 */
public sealed interface PageFusion permits PageFusion.Blend, LearnedFusion {
  /**
   * Blend weights of one query style; {@code page + passage + vector + centroid} should sum to 1.
   * {@code minMax}: cosines are scaled min-max over the candidates; otherwise they are used as they
   * are (in [0, 1] for the relevant pages), which does not depend on how many candidates there are
   * (research re-ranks only the few pages it gathered).
   */
  record Weights(
      double page,
      double passage,
      double vector,
      double centroid,
      double rrf,
      int k,
      boolean minMax) {}

  /** The two styles of query a blend's weights tell apart. */
  enum Style {
    KEYWORDS,
    QUESTION;

    private static final Set<String> QUESTION_WORDS =
        Set.of(
            "how", "what", "why", "when", "where", "which", "who", "can", "does", "do", "is", "are",
            "should", "will", "could", "would", "i", "my");
    private static final Pattern WORD = Pattern.compile("\\s+");

    /**
     * A query of at most four words that does not open like a question, or one naming an identifier
     * ({@code pg_cancel_backend}, {@code jsonb_set(}), is typed as keywords.
     */
    public static Style of(String query) {
      String q = query.strip().toLowerCase(Locale.ROOT);
      String[] words = q.isEmpty() ? new String[0] : WORD.split(q);
      boolean asks = words.length > 0 && QUESTION_WORDS.contains(words[0]) || q.endsWith("?");
      if (!asks && (words.length <= 4 || q.contains("_") || q.contains("("))) {
        return KEYWORDS;
      }
      return QUESTION;
    }
  }

  /** The fused score of every candidate of {@code query}, in the candidates' order. */
  double[] scores(String query, List<PageSignals> candidates);

  /** How many of the first pass's best pages {@link #feedback} moves the query toward. */
  int FEEDBACK_PAGES = 3;

  /**
   * The weight of pseudo-relevance feedback for {@code query}: above 0, the page search ranks a
   * second time with the query's vector moved toward the closest passages of the first pass's best
   * {@link #FEEDBACK_PAGES} pages (q + weight × their mean); 0, one pass.
   */
  default double feedback(String query) {
    return 0;
  }

  /** How Sophia ranks pages (BENCHMARKS.md, "Retrieval quality"): the fixed blend. */
  static Blend standard() {
    return new Blend(
        new Weights(0.0, 0.1, 0.9, 0.0, 0.25, 60, true),
        new Weights(0.0, 0.1, 0.9, 0.0, 0.25, 30, true));
  }

  /**
   * The learned ranker, with pseudo-relevance feedback for questions ({@code index.ranking:
   * learned}): better than {@link #standard()} on both labelled sets held out, and research over it
   * quotes an answering page more often, but not the default because over its sources
   * research_quality_score tells right from wrong less well (BENCHMARKS.md, "Pseudo-relevance
   * feedback").
   */
  static PageFusion learned() {
    return LearnedFusion.STANDARD;
  }

  /**
   * The ranking {@code index.ranking} names: {@code blend} ({@link #standard()}) or {@code
   * learned}.
   */
  static PageFusion named(String name) {
    return switch (name) {
      case "blend" -> standard();
      case "learned" -> learned();
      default ->
          throw new IllegalArgumentException(
              "index.ranking '" + name + "' is not one of blend, learned");
    };
  }

  /** A blend with other weights per style (the benchmark's tuning). */
  static Blend of(Weights keywords, Weights question) {
    return new Blend(keywords, question);
  }

  /**
   * A fixed blend: each signal is scaled over the candidates of one query (BM25 by its maximum),
   * the scaled signals are blended linearly, and the blend is mixed with reciprocal-rank fusion of
   * the BM25 and vector ranks (cos: the cosine as it is, or scaled min-max over the candidates, as
   * {@link Weights#minMax} says):
   *
   * <pre>score = (1 − rrf) × (page × bm25Page/max + passage × bm25Passage/max + vector × cos
   *                     + centroid × centroidCos)
   *       + rrf × (1/(k + bm25Rank) + 1/(k + vectorRank)) / (2/(k + 1))</pre>
   *
   * <p>The weights depend on the query's style: a short keyword query (an error message, a function
   * or setting name) leans on exact words, a question in a user's own words on meaning. {@code
   * bench/retrieval.sh --tune true} chooses them on the tune half of the labelled sets.
   */
  final class Blend implements PageFusion {
    private final Weights keywords;
    private final Weights question;

    private Blend(Weights keywords, Weights question) {
      this.keywords = Objects.requireNonNull(keywords, "keywords");
      this.question = Objects.requireNonNull(question, "question");
    }

    public Weights weights(Style style) {
      return style == Style.KEYWORDS ? keywords : question;
    }

    @Override
    public double[] scores(String query, List<PageSignals> candidates) {
      Weights w = weights(Style.of(query));
      double maxPage = 0;
      double maxPassage = 0;
      double low = Double.MAX_VALUE;
      double high = -Double.MAX_VALUE;
      double centroidLow = Double.MAX_VALUE;
      double centroidHigh = -Double.MAX_VALUE;
      for (PageSignals s : candidates) {
        maxPage = Math.max(maxPage, s.pageBm25());
        maxPassage = Math.max(maxPassage, s.passageBm25());
        low = Math.min(low, s.cosine());
        high = Math.max(high, s.cosine());
        centroidLow = Math.min(centroidLow, s.centroid());
        centroidHigh = Math.max(centroidHigh, s.centroid());
      }
      double range = high - low;
      double centroidRange = centroidHigh - centroidLow;
      double[] out = new double[candidates.size()];
      for (int i = 0; i < out.length; i++) {
        PageSignals s = candidates.get(i);
        double cosine = s.cosine();
        double centroid = s.centroid();
        if (w.minMax()) {
          cosine = range > 1e-9 ? (cosine - low) / range : 1;
          centroid = centroidRange > 1e-9 ? (centroid - centroidLow) / centroidRange : 1;
        }
        double linear =
            w.page() * (maxPage > 0 ? s.pageBm25() / maxPage : 0)
                + w.passage() * (maxPassage > 0 ? s.passageBm25() / maxPassage : 0)
                + w.vector() * clamp(cosine)
                + w.centroid() * clamp(centroid);
        double rrf = 0;
        if (w.rrf() > 0) {
          double top = 2.0 / (w.k() + 1);
          rrf = (reciprocal(s.bm25Rank(), w.k()) + reciprocal(s.vectorRank(), w.k())) / top;
        }
        out[i] = clamp((1 - w.rrf()) * linear + w.rrf() * rrf);
      }
      return out;
    }

    private static double clamp(double v) {
      return Math.min(1.0, Math.max(0.0, v));
    }

    private static double reciprocal(int rank, int k) {
      return rank <= 0 ? 0 : 1.0 / (k + rank);
    }
  }
}
