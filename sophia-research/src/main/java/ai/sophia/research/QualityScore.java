package ai.sophia.research;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * research_quality_score: the estimated probability that the sources hold an answer to the
 * question, from signals that can be checked, fitted on labelled questions (logistic regression on
 * the tune halves of the labelled sets; {@code bench/research_quality.sh}, BENCHMARKS.md):
 *
 * <ul>
 *   <li>match: cosine similarity of the closest passage among the sources to the question;
 *   <li>terms: the largest share of the question's words, weighted by rarity (idf), that one source
 *       holds;
 *   <li>consensus: whether the page BM25 ranks first and the page the embeddings rank first are
 *       among the sources (½ each): the two signals agree on where the answer is;
 *   <li>lead: how much closer the closest passage among the sources is to the question than the
 *       closest passage of the best page left out (0 when none was left out);
 *   <li>agree: how far BM25 and the embeddings agree on the first source: 1 / the worse of its two
 *       ranks among the pages gathered (1 when both rank it first, 0 when BM25 does not match it);
 *   <li>coverage: sources found over sources asked for (capped at 1), reported but not in the
 *       estimate (the labelled sets always fill their three sources, so it cannot be fitted);
 *   <li>support: share of the answer's claims that every source they cite supports ({@link
 *       Support}); it multiplies the estimate, so an unsupported answer scores low however good its
 *       sources look.
 * </ul>
 *
 * <p>estimate = σ(b + w·(match, terms, consensus, lead, agree)); score = support × estimate, or the
 * estimate alone when there is no answer (research abstains when the estimate is below {@link
 * #ANSWER_BELOW}); 0 when there is no source. Rounded to three places; {@link #confidence} names
 * its band.
 */
final class QualityScore {
  // Fitted by bench/research_quality.sh (ScoreFit) on the tune halves of questions.tsv and
  // keywords.tsv over the PostgreSQL 15 manual, all-MiniLM-L6-v2 (BENCHMARKS.md).
  static final double INTERCEPT = -2.516;
  static final double W_MATCH = 2.895;
  static final double W_TERMS = 0.705;
  static final double W_CONSENSUS = 1.222;
  static final double W_LEAD = 2.246;
  static final double W_AGREE = 0.637;

  /**
   * Below this estimate research abstains (an extractive answer would quote a near miss): the
   * threshold that best balances answering when an answering page is among the sources against
   * abstaining when none is, on the tune halves (bench/research_quality.sh).
   */
  static final double ANSWER_BELOW = 0.65;

  /** At or above: high confidence; below {@link #MEDIUM}: low (research abstains there). */
  static final double HIGH = 0.85;

  static final double MEDIUM = ANSWER_BELOW;

  private QualityScore() {}

  /**
   * What ranking measured about one source: its closest passage's cosine and its ranks among the
   * pages gathered.
   */
  record Evidence(double cosine, double termCoverage, int bm25Rank, int vectorRank) {}

  /**
   * {@code quoted}: the claims are quotations (extractive), held to the verbatim test; {@code
   * evidence} is keyed by source number.
   */
  record Inputs(
      String query,
      int sourcesAsked,
      boolean quoted,
      List<ResearchResult.Source> sources,
      Map<Integer, Evidence> evidence,
      double lead,
      List<AnswerWriter.Claim> claims,
      Map<Integer, String> sourceTexts) {}

  /**
   * The components, the estimate and the score, keyed match, terms, consensus, lead, agree,
   * coverage, support, estimate, score.
   */
  static Map<String, Double> compute(Inputs in) {
    int n = in.sources().size();
    double coverage = in.sourcesAsked() == 0 ? 0 : Math.min(1.0, (double) n / in.sourcesAsked());
    double match = 0;
    double terms = 0;
    boolean bm25Winner = false;
    boolean vectorWinner = false;
    for (Evidence e : in.evidence().values()) {
      match = Math.max(match, e.cosine());
      terms = Math.max(terms, e.termCoverage());
      bm25Winner |= e.bm25Rank() == 1;
      vectorWinner |= e.vectorRank() == 1;
    }
    match = Math.min(1.0, Math.max(0.0, match));
    double consensus = (bm25Winner ? 0.5 : 0) + (vectorWinner ? 0.5 : 0);
    Evidence first = in.evidence().get(1);
    double agree =
        first == null || first.bm25Rank() < 1
            ? 0
            : 1.0 / Math.max(first.bm25Rank(), Math.max(1, first.vectorRank()));
    double lead = Math.min(1.0, Math.max(0.0, in.lead()));
    long supported = in.claims().stream().filter(c -> supported(in, c)).count();
    double support = in.claims().isEmpty() ? 0 : (double) supported / in.claims().size();
    double estimate =
        n == 0
            ? 0
            : sigmoid(
                INTERCEPT
                    + W_MATCH * match
                    + W_TERMS * terms
                    + W_CONSENSUS * consensus
                    + W_LEAD * lead
                    + W_AGREE * agree);
    // Without claims (an abstention) the estimate stands alone: how likely the sources answer.
    double score = in.claims().isEmpty() ? estimate : support * estimate;
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("match", round(match));
    out.put("terms", round(terms));
    out.put("consensus", round(consensus));
    out.put("lead", round(lead));
    out.put("agree", round(agree));
    out.put("coverage", round(coverage));
    out.put("support", round(support));
    out.put("estimate", round(estimate));
    out.put("score", round(score));
    return out;
  }

  /** The band of a score: {@code high}, {@code medium} or {@code low}. */
  static String confidence(double score) {
    return score >= HIGH ? "high" : score >= MEDIUM ? "medium" : "low";
  }

  /** The lower-case host of a URL, or the URL itself when it has none (file paths). */
  static String host(String url) {
    try {
      String host = URI.create(url).getHost();
      return host == null ? url : host.toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return url;
    }
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static boolean supported(Inputs in, AnswerWriter.Claim claim) {
    if (claim.sources().isEmpty()) {
      return false;
    }
    for (int n : claim.sources()) {
      String text = in.sourceTexts().getOrDefault(n, "");
      boolean ok =
          in.quoted() ? Support.verbatim(claim.text(), text) : Support.written(claim.text(), text);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
