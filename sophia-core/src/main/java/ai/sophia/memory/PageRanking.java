package ai.sophia.memory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ranking half of a page search, shared by every {@link DocumentIndex}: given what an index
 * measured about the candidate pages (page BM25, each passage's BM25 and vector, term coverage), it
 * ranks the pages by BM25 and by cosine, blends the signals with {@link PageFusion}, and orders
 * each page's passages by the passage blend of {@link HybridSearch} (0.3 BM25 + 0.7 cosine, scaled
 * within the page set). Lucene and Elasticsearch differ only in how they measure, so they rank
 * alike.
 */
final class PageRanking {
  // The temperature of PageSignals#softCosine.
  private static final double SOFT_TEMPERATURE = 0.05;

  private PageRanking() {}

  /**
   * One passage of a candidate page as measured: {@code ref} is how its index finds it again (a
   * Lucene doc id, or the chunk itself), {@code bm25} its BM25 (0 without a match).
   */
  record Passage<P>(P ref, String url, double bm25, float[] vector) {}

  /** Loads a passage of one of the best pages as a chunk. */
  interface Loader<P> {
    Chunk chunk(P ref, String url, float[] vector) throws IOException;
  }

  /**
   * The best {@code limit} of the pages of {@code passages}, best first. {@code passages} come in
   * the index's order (a page's passages in document order); {@code pageBm25} and {@code coverage}
   * hold the pages that matched the words, by url.
   */
  static <P> List<PageHit> rank(
      List<Passage<P>> passages,
      Map<String, Double> pageBm25,
      Map<String, Double> coverage,
      String text,
      float[] vector,
      int limit,
      PageFusion fusion,
      Loader<P> loader)
      throws IOException {
    List<Page<P>> ranked = scored(passages, pageBm25, coverage, text, vector, fusion);
    double feedback = fusion.feedback(text);
    if (feedback > 0 && vector.length > 0 && !ranked.isEmpty()) {
      float[] moved = feedbackVector(vector, ranked, feedback);
      Map<String, Page<P>> asAsked = new LinkedHashMap<>();
      ranked.forEach(p -> asAsked.put(p.url, p));
      List<Page<P>> reranked = new ArrayList<>();
      // The second pass orders and scores the pages; what each page shows (its passages' cosines,
      // its signals) stays measured against the query as asked.
      for (Page<P> p : scored(passages, pageBm25, coverage, text, moved, fusion)) {
        Page<P> shown = asAsked.get(p.url);
        shown.score = p.score;
        reranked.add(shown);
      }
      ranked = reranked;
    }
    return hits(ranked.subList(0, Math.min(limit, ranked.size())), loader);
  }

  /**
   * The query's vector moved toward the closest passage of each of the first pass's best {@link
   * PageFusion#FEEDBACK_PAGES} pages: q + weight × their mean, normalized (Rocchio's
   * pseudo-relevance feedback on embeddings).
   */
  private static <P> float[] feedbackVector(float[] query, List<Page<P>> ranked, double weight) {
    List<Page<P>> top = ranked.subList(0, Math.min(PageFusion.FEEDBACK_PAGES, ranked.size()));
    double[] sum = new double[query.length];
    for (int i = 0; i < sum.length; i++) {
      sum[i] = query[i];
    }
    for (Page<P> page : top) {
      int closest = 0;
      for (int i = 1; i < page.cosines.size(); i++) {
        if (page.cosines.get(i) > page.cosines.get(closest)) {
          closest = i;
        }
      }
      float[] v = page.passages.get(closest).vector();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += weight / top.size() * v[i];
      }
    }
    double norm = 0;
    for (double x : sum) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    float[] out = new float[sum.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (sum[i] / norm);
    }
    return out;
  }

  /** Every candidate page measured against {@code vector} and fused, best first. */
  private static <P> List<Page<P>> scored(
      List<Passage<P>> passages,
      Map<String, Double> pageBm25,
      Map<String, Double> coverage,
      String text,
      float[] vector,
      PageFusion fusion) {
    Map<String, Page<P>> byUrl = new LinkedHashMap<>();
    for (Passage<P> p : passages) {
      double cosine = vector.length > 0 ? HybridSearch.dot(vector, p.vector()) : 0;
      byUrl
          .computeIfAbsent(p.url(), u -> new Page<>(u, pageBm25.getOrDefault(u, 0.0)))
          .add(p, cosine);
    }
    List<Page<P>> candidates = new ArrayList<>(byUrl.values());
    candidates.sort(Comparator.comparing(Page::url)); // a stable order before ranking
    rank(candidates, Comparator.comparingDouble((Page<P> p) -> p.pageBm25).reversed(), true);
    rank(candidates, Comparator.comparingDouble((Page<P> p) -> p.cosine).reversed(), false);
    for (Page<P> p : candidates) {
      p.centroid = centroid(p, vector);
      p.termCoverage = coverage.getOrDefault(p.url, 0.0);
    }
    List<PageSignals> signals = candidates.stream().map(Page::signals).toList();
    double[] scores = fusion.scores(text, signals);
    for (int i = 0; i < scores.length; i++) {
      candidates.get(i).score = scores[i];
    }
    candidates.sort(
        Comparator.comparingDouble((Page<P> p) -> p.score).reversed().thenComparing(Page::url));
    return candidates;
  }

  /** Numbers the pages 1, 2, … in {@code order}; a page without page BM25 gets no BM25 rank. */
  private static <P> void rank(List<Page<P>> pages, Comparator<Page<P>> order, boolean bm25) {
    List<Page<P>> sorted = new ArrayList<>(pages);
    sorted.sort(order);
    for (int i = 0; i < sorted.size(); i++) {
      Page<P> p = sorted.get(i);
      if (bm25) {
        p.bm25Rank = p.pageBm25 > 0 ? i + 1 : 0;
      } else {
        p.vectorRank = i + 1;
      }
    }
  }

  private static <P> List<PageHit> hits(List<Page<P>> pages, Loader<P> loader) throws IOException {
    double maxBm25 = 0;
    double low = Double.MAX_VALUE;
    double high = -Double.MAX_VALUE;
    for (Page<P> p : pages) {
      for (int i = 0; i < p.passages.size(); i++) {
        maxBm25 = Math.max(maxBm25, p.passages.get(i).bm25());
        low = Math.min(low, p.cosines.get(i));
        high = Math.max(high, p.cosines.get(i));
      }
    }
    List<PageHit> out = new ArrayList<>(pages.size());
    for (Page<P> p : pages) {
      List<ChunkHit> passages = new ArrayList<>();
      String title = "";
      for (int i = 0; i < p.passages.size(); i++) {
        Passage<P> c = p.passages.get(i);
        double cosine = p.cosines.get(i);
        double textNorm = maxBm25 > 0 ? c.bm25() / maxBm25 : 0;
        double cosNorm = high - low > 1e-9 ? (cosine - low) / (high - low) : 1;
        double score =
            HybridSearch.TEXT_WEIGHT * textNorm + (1 - HybridSearch.TEXT_WEIGHT) * cosNorm;
        Chunk chunk = loader.chunk(c.ref(), p.url, c.vector());
        title = chunk.title();
        passages.add(new ChunkHit(chunk, c.bm25(), cosine, Math.min(1.0, Math.max(0.0, score))));
      }
      passages.sort(Comparator.comparingDouble(ChunkHit::score).reversed());
      out.add(new PageHit(p.url, title, p.score, p.signals(), passages));
    }
    return out;
  }

  /** Cosine of the query with the normalized mean of the page's passage vectors. */
  private static double centroid(Page<?> page, float[] query) {
    if (query.length == 0) {
      return 0;
    }
    double[] sum = new double[query.length];
    for (Passage<?> p : page.passages) {
      float[] v = p.vector();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += v[i];
      }
    }
    double norm = 0;
    double dot = 0;
    for (int i = 0; i < sum.length; i++) {
      norm += sum[i] * sum[i];
      dot += sum[i] * query[i];
    }
    return norm > 0 ? dot / Math.sqrt(norm) : 0;
  }

  /** A candidate page while it is measured. */
  private static final class Page<P> {
    final String url;
    final double pageBm25;
    final List<Passage<P>> passages = new ArrayList<>();
    final List<Double> cosines = new ArrayList<>();
    double passageBm25;
    double cosine = -1;
    double centroid;
    double termCoverage;
    int bm25Rank;
    int vectorRank;
    double score;

    Page(String url, double pageBm25) {
      this.url = url;
      this.pageBm25 = pageBm25;
    }

    String url() {
      return url;
    }

    void add(Passage<P> passage, double cos) {
      passages.add(passage);
      cosines.add(cos);
      passageBm25 = Math.max(passageBm25, passage.bm25());
      cosine = Math.max(cosine, cos);
    }

    PageSignals signals() {
      double[] cos = cosines.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double second = cos.length > 1 ? cos[cos.length - 2] : cos.length == 1 ? cos[0] : 0;
      double sum = 0;
      for (double c : cos) {
        sum += Math.exp((c - cosine) / SOFT_TEMPERATURE);
      }
      double soft = cosine + SOFT_TEMPERATURE * Math.log(Math.max(1e-9, sum));
      double[] bm25 = passages.stream().mapToDouble(Passage::bm25).sorted().toArray();
      double topTwo =
          bm25.length == 0
              ? 0
              : bm25.length == 1
                  ? bm25[0] / 2
                  : (bm25[bm25.length - 1] + bm25[bm25.length - 2]) / 2;
      return new PageSignals(
          pageBm25,
          passageBm25,
          cosine,
          centroid,
          termCoverage,
          bm25Rank,
          vectorRank,
          second,
          soft,
          topTwo,
          passages.size());
    }
  }
}
