package ai.sophia.bench;

import ai.sophia.memory.ChunkHit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Page-level retrieval scores. A page counts once, at the rank of its best chunk; a question's rank
 * is that of the first page that answers it (0 when none was retrieved).
 */
record Scores(int questions, double recallAt1, double recallAt3, double recallAt5, double mrr) {

  /** The distinct page URLs of {@code hits}, in the order of their best chunk. */
  static List<String> pageOrder(List<ChunkHit> hits) {
    Set<String> urls = new LinkedHashSet<>();
    for (ChunkHit hit : hits) {
      urls.add(hit.chunk().url());
    }
    return List.copyOf(urls);
  }

  /**
   * 1-based rank of the first page URL whose file name answers {@code question}, or 0 if none is
   * listed.
   */
  static int rank(List<String> pageUrls, Question question) {
    for (int i = 0; i < pageUrls.size(); i++) {
      String url = pageUrls.get(i);
      if (question.answeredBy(url.substring(url.lastIndexOf('/') + 1))) {
        return i + 1;
      }
    }
    return 0;
  }

  /** The scores of the questions of one half ({@link Question#tuneHalf}) of {@code ranks}. */
  static Scores ofHalf(List<Integer> ranks, boolean tune) {
    int[] half =
        java.util.stream.IntStream.range(0, ranks.size())
            .filter(i -> Question.tuneHalf(i) == tune)
            .map(ranks::get)
            .toArray();
    return of(half);
  }

  static Scores of(int[] ranks) {
    if (ranks.length == 0) {
      throw new IllegalArgumentException("no ranks");
    }
    int at1 = 0;
    int at3 = 0;
    int at5 = 0;
    double reciprocal = 0;
    for (int rank : ranks) {
      if (rank == 0) {
        continue;
      }
      at1 += rank <= 1 ? 1 : 0;
      at3 += rank <= 3 ? 1 : 0;
      at5 += rank <= 5 ? 1 : 0;
      reciprocal += 1.0 / rank;
    }
    double n = ranks.length;
    return new Scores(ranks.length, at1 / n, at3 / n, at5 / n, reciprocal / n);
  }
}
