package ai.sophia.research;

import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * research_quality_score, from things that can be checked:
 *
 * <ul>
 *   <li>coverage: sources found over sources asked for (capped at 1);
 *   <li>relevance: mean relevance_score of the sources;
 *   <li>diversity: distinct hosts over sources;
 *   <li>support: share of the answer's claims that every source they cite supports ({@link
 *       Support}): found verbatim in the source's full text for an extractive answer; sharing
 *       enough content words with it for a model's answer.
 * </ul>
 *
 * <p>score = 0.30 relevance + 0.25 coverage + 0.20 diversity + 0.25 support, rounded to three
 * places; 0 when there is no source or no answer.
 */
final class QualityScore {
  private QualityScore() {}

  /** {@code quoted}: the claims are quotations (extractive), held to the verbatim test. */
  record Inputs(
      int sourcesAsked,
      boolean quoted,
      List<ResearchResult.Source> sources,
      List<AnswerWriter.Claim> claims,
      Map<Integer, String> sourceTexts) {}

  /**
   * The components and the weighted total, keyed coverage, relevance, diversity, support, score.
   */
  static Map<String, Double> compute(Inputs in) {
    Map<String, Double> out = new LinkedHashMap<>();
    int n = in.sources().size();
    double coverage = in.sourcesAsked() == 0 ? 0 : Math.min(1.0, (double) n / in.sourcesAsked());
    double relevance =
        in.sources().stream()
            .mapToDouble(ResearchResult.Source::relevanceScore)
            .average()
            .orElse(0);
    Set<String> hosts = new HashSet<>();
    for (ResearchResult.Source s : in.sources()) {
      hosts.add(host(s.url()));
    }
    double diversity = n == 0 ? 0 : (double) hosts.size() / n;
    long supported = in.claims().stream().filter(c -> supported(in, c)).count();
    double support = in.claims().isEmpty() ? 0 : (double) supported / in.claims().size();
    double score =
        n == 0 || in.claims().isEmpty()
            ? 0
            : 0.30 * relevance + 0.25 * coverage + 0.20 * diversity + 0.25 * support;
    out.put("coverage", round(coverage));
    out.put("relevance", round(relevance));
    out.put("diversity", round(diversity));
    out.put("support", round(support));
    out.put("score", round(score));
    return out;
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
