package ai.sophia.bench;

import ai.sophia.embedding.Embedder;
import ai.sophia.memory.Chunk;
import ai.sophia.memory.ChunkHit;
import ai.sophia.memory.DocumentIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes a corpus and scores every question against it, page by page. Three rankings: BM25 over
 * whole pages (the plain baseline), BM25 over the same chunks Sophia indexes, and Sophia's hybrid
 * search (BM25 fused with embedding similarity).
 */
final class RetrievalEval {
  static final String COLLECTION = "documents";
  private static final Logger log = LoggerFactory.getLogger(RetrievalEval.class);
  private static final int PAGES_PER_COMMIT = 50;

  private final List<HtmlPages.Page> pages;
  private final List<Question> questions;
  private final Function<HtmlPages.Page, List<String>> chunker;
  private final int depth;

  /**
   * @param chunker splits a page into the passages that are embedded and indexed
   * @param depth how many chunks each search returns before pages are deduplicated
   */
  RetrievalEval(
      List<HtmlPages.Page> pages,
      List<Question> questions,
      Function<HtmlPages.Page, List<String>> chunker,
      int depth) {
    this.pages = List.copyOf(pages);
    this.questions = List.copyOf(questions);
    this.chunker = chunker;
    this.depth = depth;
  }

  /**
   * The plain baseline: every page is one document, ranked by BM25 alone. The vectors are a
   * constant because the index needs one; this ranking never reads them.
   */
  ModelRun bm25Pages(DocumentIndex index, int dimension) {
    float[] constant = new float[dimension];
    constant[0] = 1f;
    long start = System.nanoTime();
    List<Chunk> batch = new ArrayList<>();
    for (HtmlPages.Page page : pages) {
      batch.add(
          new Chunk(
              page.url() + "#0", COLLECTION, page.url(), page.title(), 0, page.text(), constant));
      if (batch.size() == PAGES_PER_COMMIT) {
        index.replace(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      index.replace(batch);
    }
    long indexMillis = (System.nanoTime() - start) / 1_000_000;
    return score(
        "bm25-pages", "", pages.size(), indexMillis, q -> index.searchText(COLLECTION, q, depth));
  }

  /** Indexes the chunks with {@code embedder}'s vectors, then scores BM25 and hybrid on them. */
  List<ModelRun> chunked(DocumentIndex index, Embedder embedder) {
    long start = System.nanoTime();
    int chunks = 0;
    List<Chunk> batch = new ArrayList<>();
    for (int p = 0; p < pages.size(); p++) {
      HtmlPages.Page page = pages.get(p);
      List<String> passages = chunker.apply(page);
      // The title tells the model what a passage is about when the passage itself does not say.
      List<float[]> vectors =
          embedder.embedPassages(passages.stream().map(t -> page.title() + "\n" + t).toList());
      for (int i = 0; i < passages.size(); i++) {
        batch.add(
            new Chunk(
                page.url() + "#" + i,
                COLLECTION,
                page.url(),
                page.title(),
                i,
                passages.get(i),
                vectors.get(i)));
      }
      chunks += passages.size();
      if ((p + 1) % PAGES_PER_COMMIT == 0 || p == pages.size() - 1) {
        index.replace(batch);
        batch.clear();
        log.info(
            "{}: indexed {}/{} pages, {} chunks", embedder.model(), p + 1, pages.size(), chunks);
      }
    }
    long indexMillis = (System.nanoTime() - start) / 1_000_000;
    ModelRun text =
        score("bm25-chunks", "", chunks, indexMillis, q -> index.searchText(COLLECTION, q, depth));
    ModelRun hybrid =
        score(
            "hybrid",
            embedder.model(),
            chunks,
            indexMillis,
            q -> index.search(COLLECTION, q, embedder.embedQuery(q), depth));
    return List.of(text, hybrid);
  }

  private ModelRun score(
      String ranking,
      String model,
      int chunks,
      long indexMillis,
      Function<String, List<ChunkHit>> search) {
    int[] ranks = new int[questions.size()];
    double[] millis = new double[questions.size()];
    for (int i = 0; i < questions.size(); i++) {
      Question question = questions.get(i);
      long start = System.nanoTime();
      List<ChunkHit> hits = search.apply(question.text());
      millis[i] = (System.nanoTime() - start) / 1e6;
      ranks[i] = Scores.rank(Scores.pageOrder(hits), question);
    }
    Arrays.sort(millis);
    return new ModelRun(
        ranking,
        model,
        Scores.of(ranks),
        chunks,
        indexMillis,
        percentile(millis, 0.5),
        percentile(millis, 0.95),
        Arrays.stream(ranks).boxed().toList());
  }

  /** Nearest-rank percentile of sorted values. */
  static double percentile(double[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
