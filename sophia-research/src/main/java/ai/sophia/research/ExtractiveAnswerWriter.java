package ai.sophia.research;

import ai.sophia.embedding.Embedder;
import ai.sophia.model.CallContext;
import com.github.benmanes.caffeine.cache.Cache;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Offline answers, quoted. The answer is the passage that best answers the question ({@link
 * PassageScorer}), trimmed to its window of one to three contiguous sentences closest to the
 * question and quoted in the source's order, so every [n] is supported by construction and the
 * answer reads as the source wrote it. When no passage has a cosine of at least {@link
 * #MIN_ANSWER_SCORE}, no source clearly answers: there are no claims (the service then answers null
 * and says so) rather than a near miss. Summaries are each source's {@link #SUMMARY_SENTENCES}
 * sentences closest to the question from its best passage, in the source's order, leaving out what
 * the answer or an earlier summary already quotes: no sentence is quoted twice.
 */
final class ExtractiveAnswerWriter implements AnswerWriter {
  static final int SUMMARY_SENTENCES = 2;

  /**
   * Below this passage score no passage is close to the question at all. Whether the sources are
   * likely to answer is the research service's call, on the calibrated estimate ({@link
   * QualityScore#ANSWER_BELOW}), which predicts it better than one passage's score (measured with
   * bench/research_quality.sh: a passage threshold of 0.50 abstained on 45 % of the report-half
   * questions whose sources held an answering page).
   */
  static final double MIN_ANSWER_SCORE = 0.30;

  private final PassageScorer scorer;

  /**
   * {@code vectors} remembers passage and sentence embeddings: popular pages are quoted again and
   * again, and embedding is nearly all of this writer's cost.
   */
  ExtractiveAnswerWriter(Embedder embedder, Cache<String, float[]> vectors) {
    this.scorer = new PassageScorer(embedder, vectors);
  }

  @Override
  public Written write(
      String query, float[] queryVector, List<SourceText> sources, CallContext context) {
    List<PassageScorer.Passage> passages = scorer.passages(query, queryVector, sources);
    Map<PassageScorer.Passage, List<List<PassageScorer.Quote>>> quotes =
        scorer.quotes(queryVector, passages);
    List<Claim> claims = new ArrayList<>();
    Set<String> quoted = new HashSet<>();
    for (PassageScorer.Passage p : passages) {
      if (p.cosine() < MIN_ANSWER_SCORE) {
        continue;
      }
      Optional<PassageScorer.Window> window = PassageScorer.bestWindow(queryVector, quotes.get(p));
      if (window.isPresent()) {
        for (String sentence : window.get().sentences()) {
          if (quoted.add(sentence)) {
            claims.add(Claim.quoted(sentence, p.source()));
          }
        }
        break;
      }
    }
    // Summaries quote the same passages; the answer's sentences are not quoted again.
    Map<Integer, PassageScorer.Passage> bestOfSource = new LinkedHashMap<>();
    passages.forEach(p -> bestOfSource.put(p.source(), p));
    Map<Integer, String> summaries = new LinkedHashMap<>();
    for (SourceText source : sources) {
      PassageScorer.Passage best = bestOfSource.get(source.index());
      List<List<PassageScorer.Quote>> runs = best == null ? List.of() : quotes.get(best);
      summaries.put(source.index(), summarize(source, runs, quoted));
    }
    return Written.extractive(summaries, claims);
  }

  /** The source's sentences closest to the question that nothing has quoted yet. */
  private static String summarize(
      SourceText source, List<List<PassageScorer.Quote>> runs, Set<String> quoted) {
    List<PassageScorer.Quote> own =
        runs.stream()
            .flatMap(List::stream)
            .filter(q -> !quoted.contains(q.text()))
            .sorted(Comparator.comparingDouble(PassageScorer.Quote::similarity).reversed())
            .limit(SUMMARY_SENTENCES)
            .sorted(Comparator.comparingInt(PassageScorer.Quote::order))
            .toList();
    if (own.isEmpty()) {
      // Nothing quotable left (a table, a list): fall back to the opening of the best passage.
      String first = source.passages().isEmpty() ? "" : source.passages().getFirst().strip();
      return first.length() <= 300 ? first : first.substring(0, 297).strip() + "...";
    }
    own.forEach(q -> quoted.add(q.text()));
    return String.join(" ", own.stream().map(PassageScorer.Quote::text).toList());
  }
}
