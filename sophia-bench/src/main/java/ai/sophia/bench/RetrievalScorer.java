package ai.sophia.bench;

import ai.sophia.embedding.Embedder;
import ai.sophia.memory.Chunk;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.research.LocalSearchProvider;
import ai.sophia.search.SearchHit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes a corpus and scores every question against it, page by page. Three rankings: BM25 over
 * whole pages (the plain baseline), BM25 over the chunks Sophia indexes, and Sophia's {@code local}
 * search engine ({@link LocalSearchProvider}: hybrid BM25 and embedding search, one hit per page),
 * which is what research over ingested documents uses.
 */
final class RetrievalScorer {
  /** Pages each ranking returns: enough for recall@5 and a meaningful MRR. */
  static final int PAGES = 10;

  private static final String COLLECTION = LocalSearchProvider.COLLECTION;
  // BM25 over chunks may return several chunks of one page; this many chunks yield >= 10 pages.
  private static final int CHUNK_DEPTH = 100;
  private static final int PAGES_PER_COMMIT = 50;
  private static final Logger log = LoggerFactory.getLogger(RetrievalScorer.class);

  private final List<HtmlPages.Page> pages;
  private final List<Question> questions;
  private final Function<HtmlPages.Page, List<String>> chunker;

  /** {@code chunker} splits a page into the passages that are embedded and indexed. */
  RetrievalScorer(
      List<HtmlPages.Page> pages,
      List<Question> questions,
      Function<HtmlPages.Page, List<String>> chunker) {
    this.pages = List.copyOf(pages);
    this.questions = List.copyOf(questions);
    this.chunker = chunker;
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
    for (int p = 0; p < pages.size(); p++) {
      HtmlPages.Page page = pages.get(p);
      batch.add(
          new Chunk(
              page.url() + "#0", COLLECTION, page.url(), page.title(), 0, page.text(), constant));
      if ((p + 1) % PAGES_PER_COMMIT == 0 || p == pages.size() - 1) {
        index.replace(batch);
        batch.clear();
      }
    }
    long indexMillis = (System.nanoTime() - start) / 1_000_000;
    return score(
        "bm25-pages",
        "",
        pages.size(),
        indexMillis,
        q -> Scores.pageOrder(index.searchText(COLLECTION, q, PAGES)));
  }

  /** Indexes the chunks with {@code embedder}'s vectors, then scores BM25 and hybrid on them. */
  List<ModelRun> chunked(DocumentIndex index, Embedder embedder) {
    long start = System.nanoTime();
    int chunks = 0;
    List<Chunk> batch = new ArrayList<>();
    for (int p = 0; p < pages.size(); p++) {
      HtmlPages.Page page = pages.get(p);
      List<String> passages = chunker.apply(page);
      // The title says what a passage is about when the passage itself does not.
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
        score(
            "bm25-chunks",
            "",
            chunks,
            indexMillis,
            q -> Scores.pageOrder(index.searchText(COLLECTION, q, CHUNK_DEPTH)));
    LocalSearchProvider local = new LocalSearchProvider(index, embedder);
    ModelRun hybrid =
        score(
            "hybrid",
            embedder.model(),
            chunks,
            indexMillis,
            q -> local.search(q, PAGES).stream().map(SearchHit::url).toList());
    return List.of(text, hybrid);
  }

  /** Runs every question through {@code search} (question to ranked page URLs) and scores it. */
  private ModelRun score(
      String ranking,
      String model,
      int chunks,
      long indexMillis,
      Function<String, List<String>> search) {
    int[] ranks = new int[questions.size()];
    double[] millis = new double[questions.size()];
    for (int i = 0; i < questions.size(); i++) {
      Question question = questions.get(i);
      long start = System.nanoTime();
      List<String> urls = search.apply(question.text());
      millis[i] = (System.nanoTime() - start) / 1e6;
      ranks[i] = Scores.rank(urls, question);
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
