package ai.sophia.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders retrieval results as a Markdown table and writes them, per question, as JSON. */
final class RetrievalReport {
  private RetrievalReport() {}

  /** One row per ranking and half: recall@1/@3/@5 and MRR@10, and the query time. */
  static String markdown(List<ModelRun> runs) {
    StringBuilder md = new StringBuilder();
    md.append("| ranking | model | half | recall@1 | recall@3 | recall@5 | MRR@10 |")
        .append(" query p50 | query p95 |\n")
        .append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (ModelRun run : runs) {
      for (String half : List.of("tune", "report", "all")) {
        Scores s =
            half.equals("all") ? run.scores() : Scores.ofHalf(run.ranks(), half.equals("tune"));
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s (%d) | %.3f | %.3f | %.3f | %.3f | %.1f ms | %.1f ms |%n",
                label(run.ranking()),
                run.model().isEmpty() ? "—" : run.model(),
                half,
                s.questions(),
                s.recallAt1(),
                s.recallAt3(),
                s.recallAt5(),
                s.mrr(),
                run.queryMillisMedian(),
                run.queryMillisP95()));
      }
    }
    return md.toString();
  }

  /**
   * Head-to-head at top 3 against {@code baseline}: on how many questions the other ranking has the
   * right page in its top 3 and the baseline not, and the reverse.
   */
  static String versus(ModelRun baseline, List<ModelRun> others) {
    StringBuilder md = new StringBuilder();
    for (ModelRun other : others) {
      int wins = 0;
      int losses = 0;
      for (int i = 0; i < baseline.ranks().size(); i++) {
        boolean base = top3(baseline.ranks().get(i));
        boolean mine = top3(other.ranks().get(i));
        wins += mine && !base ? 1 : 0;
        losses += base && !mine ? 1 : 0;
      }
      md.append(
          String.format(
              Locale.ROOT,
              "- %s (%s) vs %s, top 3: right page found only by the first on %d questions, only"
                  + " by the baseline on %d (two-sided sign test p = %.3g)%n",
              label(other.ranking()),
              other.model(),
              label(baseline.ranking()),
              wins,
              losses,
              signTest(wins, losses)));
    }
    return md.toString();
  }

  /** Writes the runs and every question's rank to {@code dir}/retrieval-&lt;UTC time&gt;.json. */
  static Path writeJson(
      Path dir,
      String corpus,
      int pages,
      Map<String, List<Question>> questions,
      Map<String, List<ModelRun>> runs) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("timestamp", Instant.now().toString());
    root.put("corpus", corpus);
    root.put("pages", pages);
    root.put("questions", questions);
    root.put("runs", runs);
    return JsonResults.write(dir, "retrieval", root);
  }

  /**
   * Two-sided exact sign test on the questions where the two rankings disagree: the chance of a
   * split at least this uneven if each side were equally likely to win a disagreement.
   */
  static double signTest(int wins, int losses) {
    int n = wins + losses;
    if (n == 0) {
      return 1;
    }
    int k = Math.min(wins, losses);
    double tail = 0;
    double term = Math.pow(0.5, n); // C(n, 0) / 2^n
    for (int i = 0; i <= k; i++) {
      tail += term;
      term = term * (n - i) / (i + 1);
    }
    return Math.min(1, 2 * tail);
  }

  private static boolean top3(int rank) {
    return rank >= 1 && rank <= 3;
  }

  private static String label(String ranking) {
    return switch (ranking) {
      case "bm25-pages" -> "BM25, whole pages (baseline)";
      case "vector" -> "embeddings only, passages";
      case "passage-hybrid" -> "passage hybrid (before)";
      case "page-learned" -> "page ranking, learned ranker (not the default)";
      case "sophia" -> "**Sophia, page ranking (local engine)**";
      default -> ranking;
    };
  }
}
