package ai.sophia.bench;

import ai.sophia.embedding.Embedder;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.PageFusion;
import ai.sophia.memory.PageHit;
import ai.sophia.memory.PageSignals;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Chooses {@link PageFusion} weights on the tune halves of the labelled sets, one set of weights
 * per query style, by grid search over every candidate page's signals (each question is searched
 * once; only the blend changes), then reports the chosen weights on every half beside {@link
 * PageFusion#standard()}. The objective is the mean of recall@1, recall@3 and MRR@10 over the tune
 * questions of that style, all sets pooled.
 */
final class FusionTuner {
  private static final double STEP = 0.1;

  private record Searched(
      String set, int index, Question question, List<String> names, List<PageSignals> signals) {}

  private final List<Searched> searched = new ArrayList<>();

  FusionTuner(Map<String, List<Question>> sets, LuceneDocumentIndex index, Embedder embedder) {
    sets.forEach(
        (set, questions) -> {
          for (int i = 0; i < questions.size(); i++) {
            Question q = questions.get(i);
            List<PageHit> hits =
                index.searchPages(
                    DocumentIndex.DOCUMENTS,
                    Set.of(),
                    q.text(),
                    embedder.embedQuery(q.text()),
                    RetrievalScorer.PAGES,
                    PageFusion.standard(),
                    true);
            searched.add(
                new Searched(
                    set,
                    i,
                    q,
                    RetrievalEval.names(hits),
                    hits.stream().map(PageHit::signals).toList()));
          }
        });
  }

  void tuneAndReport() {
    PageFusion.Weights keywords = best(PageFusion.Style.KEYWORDS);
    PageFusion.Weights question = best(PageFusion.Style.QUESTION);
    PageFusion.Blend tuned = PageFusion.of(keywords, question);
    System.out.printf(
        "%n### Fusion tuned on the tune halves%n%nkeywords: %s%nquestion: %s%n%n",
        keywords, question);
    System.out.println("| set | half | fusion | recall@1 | recall@3 | recall@5 | MRR@10 |");
    System.out.println("|---|---|---|---:|---:|---:|---:|");
    for (String set : searched.stream().map(Searched::set).distinct().toList()) {
      for (boolean tune : List.of(true, false)) {
        for (var fusion :
            List.of(
                Map.entry("standard", PageFusion.standard()),
                Map.entry("learned", PageFusion.learned()),
                Map.entry("tuned blend", tuned))) {
          List<Searched> half =
              searched.stream()
                  .filter(s -> s.set.equals(set) && Question.tuneHalf(s.index) == tune)
                  .toList();
          Scores s = Scores.of(half.stream().mapToInt(x -> rank(x, fusion.getValue())).toArray());
          System.out.printf(
              Locale.ROOT,
              "| %s | %s (%d) | %s | %.3f | %.3f | %.3f | %.3f |%n",
              set,
              tune ? "tune" : "report",
              s.questions(),
              fusion.getKey(),
              s.recallAt1(),
              s.recallAt3(),
              s.recallAt5(),
              s.mrr());
        }
      }
    }
  }

  private PageFusion.Weights best(PageFusion.Style style) {
    List<Searched> tune =
        searched.stream()
            .filter(
                s -> Question.tuneHalf(s.index) && PageFusion.Style.of(s.question.text()) == style)
            .toList();
    if (tune.isEmpty()) {
      return PageFusion.standard().weights(style);
    }
    PageFusion.Weights best = null;
    double bestObjective = -1;
    for (PageFusion.Weights w : grid()) {
      PageFusion fusion = PageFusion.of(w, w);
      Scores s = Scores.of(tune.stream().mapToInt(x -> rank(x, fusion)).toArray());
      double objective = (s.recallAt1() + s.recallAt3() + s.mrr()) / 3;
      if (objective > bestObjective + 1e-9) {
        bestObjective = objective;
        best = w;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s: %d tune questions, best objective %.3f with %s%n",
        style,
        tune.size(),
        bestObjective,
        best);
    return best;
  }

  /** Every blend the search tries: signal weights on a simplex, rank fusion, both scalings. */
  private static List<PageFusion.Weights> grid() {
    List<PageFusion.Weights> out = new ArrayList<>();
    int steps = (int) Math.round(1 / STEP);
    for (int p = 0; p <= steps; p++) {
      for (int q = 0; q + p <= steps; q++) {
        for (int c = 0; c + q + p <= steps; c++) {
          for (double rrf : new double[] {0, 0.25, 0.5, 0.75, 1}) {
            for (int k : rrf == 0 ? new int[] {10} : new int[] {3, 10, 30, 60}) {
              for (boolean minMax : new boolean[] {false, true}) {
                double vector = (steps - p - q - c) * STEP;
                out.add(
                    new PageFusion.Weights(p * STEP, q * STEP, vector, c * STEP, rrf, k, minMax));
              }
            }
          }
        }
      }
    }
    return out;
  }

  /** Where {@code fusion} puts the first answering page among the question's candidates. */
  private static int rank(Searched s, PageFusion fusion) {
    double[] scores = fusion.scores(s.question.text(), s.signals);
    List<Integer> order =
        IntStream.range(0, scores.length)
            .boxed()
            .sorted(
                Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparing(s.names::get))
            .limit(RetrievalScorer.PAGES)
            .toList();
    for (int r = 0; r < order.size(); r++) {
      if (s.question.answeredBy(s.names.get(order.get(r)))) {
        return r + 1;
      }
    }
    return 0;
  }
}
