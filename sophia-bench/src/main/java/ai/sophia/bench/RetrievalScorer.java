package ai.sophia.bench;

import ai.sophia.memory.Chunk;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.web.ExtractedPage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Runs every labelled question through one ranking and scores where the right page landed. Also
 * builds the plain baseline: BM25 over whole pages, one index entry per page.
 */
final class RetrievalScorer {
  /** Pages each ranking returns: enough for recall@5 and a meaningful MRR. */
  static final int PAGES = 10;

  private static final int PAGES_PER_COMMIT = 50;

  private final List<Question> questions;

  RetrievalScorer(List<Question> questions) {
    this.questions = List.copyOf(questions);
  }

  /**
   * Indexes each page whole into {@code index}, for the BM25 baseline. The vectors are a constant
   * unit vector because the index needs one; BM25 never reads them.
   */
  static void indexWholePages(DocumentIndex index, List<ExtractedPage> pages, int dimension) {
    float[] constant = new float[dimension];
    constant[0] = 1f;
    List<Chunk> batch = new ArrayList<>();
    for (int p = 0; p < pages.size(); p++) {
      ExtractedPage page = pages.get(p);
      String url = page.canonicalUrl();
      batch.add(
          new Chunk(
              LuceneDocumentIndex.chunkId(url, 0),
              DocumentIndex.DOCUMENTS,
              url,
              page.title(),
              0,
              page.text(),
              constant));
      if ((p + 1) % PAGES_PER_COMMIT == 0 || p == pages.size() - 1) {
        index.replace(batch);
        batch.clear();
      }
    }
  }

  /** The baseline: plain BM25 over an index that {@link #indexWholePages} filled. */
  ModelRun bm25Pages(DocumentIndex index, int pages) {
    return score(
        "bm25-pages",
        "",
        pages,
        q -> Scores.pageOrder(index.searchText(DocumentIndex.DOCUMENTS, q, PAGES)));
  }

  /**
   * Runs every question through {@code search} (question to page URLs, best first) and scores the
   * ranking; {@code chunks} says how many entries the index it searched holds.
   */
  ModelRun score(String ranking, String model, int chunks, Function<String, List<String>> search) {
    int[] ranks = new int[questions.size()];
    double[] millis = new double[questions.size()];
    for (int i = 0; i < questions.size(); i++) {
      Question question = questions.get(i);
      long start = System.nanoTime();
      List<String> urls = search.apply(question.text());
      millis[i] = (System.nanoTime() - start) / 1e6;
      // Every ranking is judged on its first PAGES pages, so MRR means MRR@10 for all of them.
      ranks[i] = Scores.rank(urls.subList(0, Math.min(PAGES, urls.size())), question);
    }
    return new ModelRun(
        ranking,
        model,
        Scores.of(ranks),
        chunks,
        Percentile.of(millis, 0.5),
        Percentile.of(millis, 0.95),
        Arrays.stream(ranks).boxed().toList());
  }
}
