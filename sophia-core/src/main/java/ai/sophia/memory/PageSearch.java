package ai.sophia.memory;

import static ai.sophia.memory.LuceneDocumentIndex.ID;
import static ai.sophia.memory.LuceneDocumentIndex.PAGE_TEXT;
import static ai.sophia.memory.LuceneDocumentIndex.PAGE_TITLE;
import static ai.sophia.memory.LuceneDocumentIndex.POSITION;
import static ai.sophia.memory.LuceneDocumentIndex.TEXT;
import static ai.sophia.memory.LuceneDocumentIndex.TITLE;
import static ai.sophia.memory.LuceneDocumentIndex.URL;
import static ai.sophia.memory.LuceneDocumentIndex.VECTOR;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * Page-level hybrid search: ranks pages, not passages, and gives each page its best passages.
 *
 * <p>Candidates are the pages of the whole-page BM25 top N, the passage BM25 top M and the passage
 * vector top M. Every candidate is then measured exactly on all its passages (BM25 of its best
 * passage, cosine of its closest one) and on its whole text, so a page found by one signal is not
 * scored 0 on the others. {@link PageFusion} blends the signals; a page's passages are ordered by
 * the passage blend of {@link HybridSearch} (0.3 BM25 + 0.7 cosine, scaled within the page set).
 */
final class PageSearch {
  private static final int MIN_PAGE_CANDIDATES = 30;
  private static final int MIN_PASSAGE_CANDIDATES = 60;
  private static final Set<String> URL_ONLY = Set.of(URL);

  private final HybridSearch hybrid;

  PageSearch(HybridSearch hybrid) {
    this.hybrid = hybrid;
  }

  /**
   * The best {@code limit} pages, or with {@code allCandidates} every candidate that a search for
   * {@code limit} pages measured (the benchmark's tuning); {@code pages} filters page documents and
   * {@code chunks} filters chunk documents to the same scope (a collection, maybe some urls).
   */
  List<PageHit> search(
      IndexSearcher searcher,
      Query pages,
      Query chunks,
      String text,
      float[] vector,
      int limit,
      PageFusion fusion,
      boolean allCandidates)
      throws IOException {
    int passageCandidates = Math.max(MIN_PASSAGE_CANDIDATES, 6 * limit);
    Set<String> urls = new LinkedHashSet<>();
    StoredFields stored = searcher.storedFields();
    for (ScoreDoc hit :
        hybrid.textHits(
            searcher,
            pages,
            text,
            Math.max(MIN_PAGE_CANDIDATES, 3 * limit),
            PAGE_TEXT,
            PAGE_TITLE)) {
      urls.add(stored.document(hit.doc, URL_ONLY).get(URL));
    }
    for (ScoreDoc hit : hybrid.textHits(searcher, chunks, text, passageCandidates, TEXT, TITLE)) {
      urls.add(stored.document(hit.doc, URL_ONLY).get(URL));
    }
    if (vector.length > 0) {
      for (ScoreDoc hit :
          searcher.search(
                  new KnnFloatVectorQuery(VECTOR, vector, passageCandidates, chunks),
                  passageCandidates)
              .scoreDocs) {
        urls.add(stored.document(hit.doc, URL_ONLY).get(URL));
      }
    }
    if (urls.isEmpty()) {
      return List.of();
    }
    int keep = allCandidates ? urls.size() : limit;
    return measure(searcher, pages, chunks, urls, text, vector, keep, fusion);
  }

  private List<PageHit> measure(
      IndexSearcher searcher,
      Query pages,
      Query chunks,
      Set<String> urls,
      String text,
      float[] vector,
      int limit,
      PageFusion fusion)
      throws IOException {
    Query inUrls = new TermInSetQuery(URL, urls.stream().map(BytesRef::new).toList());
    StoredFields stored = searcher.storedFields();
    Map<String, Double> pageBm25 = new HashMap<>();
    for (ScoreDoc hit :
        hybrid.textHits(searcher, and(pages, inUrls), text, urls.size(), PAGE_TEXT, PAGE_TITLE)) {
      pageBm25.put(stored.document(hit.doc, URL_ONLY).get(URL), (double) hit.score);
    }
    Query candidateChunks = and(chunks, inUrls);
    TreeSet<Integer> chunkDocs = new TreeSet<>();
    for (ScoreDoc hit :
        searcher.search(candidateChunks, Math.max(1, searcher.count(candidateChunks))).scoreDocs) {
      chunkDocs.add(hit.doc);
    }
    Map<Integer, Float> chunkBm25 = new HashMap<>();
    for (ScoreDoc hit :
        hybrid.textHits(
            searcher, candidateChunks, text, Math.max(1, chunkDocs.size()), TEXT, TITLE)) {
      chunkBm25.put(hit.doc, hit.score);
    }
    Map<Integer, float[]> vectors = HybridSearch.vectors(searcher, chunkDocs);
    Map<String, Page> byUrl = new HashMap<>();
    for (int doc : chunkDocs) {
      String url = stored.document(doc, URL_ONLY).get(URL);
      double cosine = vector.length > 0 ? HybridSearch.dot(vector, vectors.get(doc)) : 0;
      byUrl
          .computeIfAbsent(url, u -> new Page(u, pageBm25.getOrDefault(u, 0.0)))
          .add(doc, chunkBm25.getOrDefault(doc, 0f), cosine);
    }
    List<Page> candidates = new ArrayList<>(byUrl.values());
    candidates.sort(Comparator.comparing(Page::url)); // a stable order before ranking
    rank(candidates, Comparator.comparingDouble((Page p) -> p.pageBm25).reversed(), true);
    rank(candidates, Comparator.comparingDouble((Page p) -> p.cosine).reversed(), false);
    Map<String, Double> coverage = termCoverage(searcher, and(pages, inUrls), text);
    for (Page p : candidates) {
      p.centroid = centroid(p, vector, vectors);
      p.termCoverage = coverage.getOrDefault(p.url, 0.0);
    }
    List<PageSignals> signals = candidates.stream().map(Page::signals).toList();
    double[] scores = fusion.scores(text, signals);
    for (int i = 0; i < scores.length; i++) {
      candidates.get(i).score = scores[i];
    }
    candidates.sort(
        Comparator.comparingDouble((Page p) -> p.score).reversed().thenComparing(Page::url));
    List<Page> top = candidates.subList(0, Math.min(limit, candidates.size()));
    return hits(searcher, top, vectors);
  }

  /** Numbers the pages 1, 2, … in {@code order}; a page without page BM25 gets no BM25 rank. */
  private static void rank(List<Page> pages, Comparator<Page> order, boolean bm25) {
    List<Page> sorted = new ArrayList<>(pages);
    sorted.sort(order);
    for (int i = 0; i < sorted.size(); i++) {
      Page p = sorted.get(i);
      if (bm25) {
        p.bm25Rank = p.pageBm25 > 0 ? i + 1 : 0;
      } else {
        p.vectorRank = i + 1;
      }
    }
  }

  private static List<PageHit> hits(
      IndexSearcher searcher, List<Page> pages, Map<Integer, float[]> vectors) throws IOException {
    double maxBm25 = 0;
    double low = Double.MAX_VALUE;
    double high = -Double.MAX_VALUE;
    for (Page p : pages) {
      for (Passage c : p.passages) {
        maxBm25 = Math.max(maxBm25, c.bm25);
        low = Math.min(low, c.cosine);
        high = Math.max(high, c.cosine);
      }
    }
    StoredFields stored = searcher.storedFields();
    List<PageHit> out = new ArrayList<>(pages.size());
    for (Page p : pages) {
      List<ChunkHit> passages = new ArrayList<>();
      String title = "";
      for (Passage c : p.passages) {
        double textNorm = maxBm25 > 0 ? c.bm25 / maxBm25 : 0;
        double cosNorm = high - low > 1e-9 ? (c.cosine - low) / (high - low) : 1;
        double score =
            HybridSearch.TEXT_WEIGHT * textNorm + (1 - HybridSearch.TEXT_WEIGHT) * cosNorm;
        Document d = stored.document(c.doc);
        title = d.get(TITLE);
        passages.add(
            new ChunkHit(
                new Chunk(
                    d.get(ID),
                    d.get(LuceneDocumentIndex.COLLECTION),
                    p.url,
                    title,
                    d.getField(POSITION).numericValue().intValue(),
                    d.get(TEXT),
                    vectors.get(c.doc)),
                c.bm25,
                c.cosine,
                Math.min(1.0, Math.max(0.0, score))));
      }
      passages.sort(Comparator.comparingDouble(ChunkHit::score).reversed());
      out.add(new PageHit(p.url, title, p.score, p.signals(), passages));
    }
    return out;
  }

  private static Query and(Query a, Query b) {
    return new BooleanQuery.Builder()
        .add(a, BooleanClause.Occur.FILTER)
        .add(b, BooleanClause.Occur.FILTER)
        .build();
  }

  private record Passage(int doc, double bm25, double cosine) {}

  /**
   * For each candidate page (of {@code pages}) that holds a query term, the idf-weighted share of
   * the query's terms it holds, in its text or title.
   */
  private Map<String, Double> termCoverage(IndexSearcher searcher, Query pages, String text)
      throws IOException {
    Map<String, Double> out = new HashMap<>();
    long n = Math.max(1, searcher.getIndexReader().getDocCount(PAGE_TEXT));
    double total = 0;
    StoredFields stored = searcher.storedFields();
    for (String term : hybrid.terms(text, PAGE_TEXT)) {
      int df = searcher.getIndexReader().docFreq(new Term(PAGE_TEXT, term));
      double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      total += idf;
      Query has =
          new BooleanQuery.Builder()
              .add(new TermQuery(new Term(PAGE_TEXT, term)), BooleanClause.Occur.SHOULD)
              .add(new TermQuery(new Term(PAGE_TITLE, term)), BooleanClause.Occur.SHOULD)
              .setMinimumNumberShouldMatch(1)
              .build();
      Query query = and(pages, has);
      for (ScoreDoc hit : searcher.search(query, Math.max(1, searcher.count(query))).scoreDocs) {
        out.merge(stored.document(hit.doc, URL_ONLY).get(URL), idf, Double::sum);
      }
    }
    double sum = total;
    out.replaceAll((url, idf) -> sum > 0 ? Math.min(1.0, idf / sum) : 0);
    return out;
  }

  /** Cosine of the query with the normalized mean of the page's passage vectors. */
  private static double centroid(Page page, float[] query, Map<Integer, float[]> vectors) {
    if (query.length == 0) {
      return 0;
    }
    double[] sum = new double[query.length];
    for (Passage p : page.passages) {
      float[] v = vectors.get(p.doc);
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
  private static final class Page {
    final String url;
    final double pageBm25;
    final List<Passage> passages = new ArrayList<>();
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

    void add(int doc, double bm25, double cos) {
      passages.add(new Passage(doc, bm25, cos));
      passageBm25 = Math.max(passageBm25, bm25);
      cosine = Math.max(cosine, cos);
    }

    PageSignals signals() {
      return new PageSignals(
          pageBm25, passageBm25, cosine, centroid, termCoverage, bm25Rank, vectorRank);
    }
  }
}
