package ai.sophia.memory;

import static ai.sophia.memory.LuceneDocumentIndex.PAGE_TEXT;
import static ai.sophia.memory.LuceneDocumentIndex.PAGE_TITLE;
import static ai.sophia.memory.LuceneDocumentIndex.TEXT;
import static ai.sophia.memory.LuceneDocumentIndex.TITLE;
import static ai.sophia.memory.LuceneDocumentIndex.URL;
import static ai.sophia.memory.LuceneDocumentIndex.VECTOR;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
    List<PageRanking.Passage<Integer>> passages = new ArrayList<>(chunkDocs.size());
    for (int doc : chunkDocs) {
      String url = stored.document(doc, URL_ONLY).get(URL);
      passages.add(
          new PageRanking.Passage<>(doc, url, chunkBm25.getOrDefault(doc, 0f), vectors.get(doc)));
    }
    Map<String, Double> coverage = termCoverage(searcher, and(pages, inUrls), text);
    return PageRanking.rank(
        passages,
        pageBm25,
        coverage,
        text,
        vector,
        limit,
        fusion,
        (doc, url, v) -> HybridSearch.chunk(stored.document(doc), v));
  }

  private static Query and(Query a, Query b) {
    return new BooleanQuery.Builder()
        .add(a, BooleanClause.Occur.FILTER)
        .add(b, BooleanClause.Occur.FILTER)
        .build();
  }

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
}
