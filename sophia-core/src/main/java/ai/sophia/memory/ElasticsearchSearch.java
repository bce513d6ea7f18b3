package ai.sophia.memory;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchRequest;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.analysis.en.EnglishAnalyzer;

/**
 * The searches of {@link ElasticsearchDocumentIndex}: the same candidates and measurements as
 * {@link HybridSearch} and {@link PageSearch} take from Lucene, asked of Elasticsearch, then fused
 * by the same code ({@link HybridSearch#fuse}, {@link PageRanking}). Queries are built from the
 * terms Sophia's analyzer makes, one term query per term and field (title boosted), so user text is
 * never query syntax and BM25 scores the same terms as in Lucene.
 */
final class ElasticsearchSearch {
  static final String VECTOR = "vector";
  private static final String TEXT = "text_terms";
  private static final String TITLE = "title_terms";
  private static final String PAGE_TEXT = "page_text_terms";
  private static final String PAGE_TITLE = "page_title_terms";
  private static final int MIN_CANDIDATES = 50;
  private static final int MIN_PAGE_CANDIDATES = 30;
  private static final int MIN_PASSAGE_CANDIDATES = 60;
  private static final float TITLE_BOOST = 2f;
  static final int MAX_WINDOW = 10_000; // Elasticsearch's index.max_result_window
  private static final List<String> CHUNK_FIELDS =
      List.of("id", "collection", "url", "title", "text", "position", VECTOR);

  /** A chunk as stored in {@code _source}. */
  record Stored(
      String id,
      String collection,
      String url,
      String title,
      String text,
      Integer position,
      float[] vector) {
    Chunk chunk() {
      return new Chunk(
          id, collection, url, title, position, text, vector == null ? new float[0] : vector);
    }
  }

  private final ElasticsearchClient client;
  private final String index;
  private final HybridSearch analysis = new HybridSearch(new EnglishAnalyzer());

  ElasticsearchSearch(ElasticsearchClient client, String index) {
    this.client = client;
    this.index = index;
  }

  /** The document of one chunk: what is shown, and the analysed tokens BM25 indexes. */
  Map<String, Object> chunkSource(String key, Chunk c) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("id", c.id());
    doc.put("key", key);
    doc.put("collection", c.collection());
    doc.put("url", c.url());
    doc.put("title", c.title());
    doc.put("text", c.text());
    doc.put("position", c.position());
    doc.put(TITLE, analysis.tokens(c.title()));
    doc.put(TEXT, analysis.tokens(c.text()));
    if (c.vector().length > 0) {
      doc.put(VECTOR, c.vector());
    }
    return doc;
  }

  /** The page document of a document's chunks (whole-page BM25), as {@link PageDocuments}. */
  Map<String, Object> pageSource(String key, List<Chunk> chunks) throws IOException {
    Chunk first = chunks.stream().min(Comparator.comparingInt(Chunk::position)).orElseThrow();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("key", key);
    doc.put("page_collection", first.collection());
    doc.put("url", first.url());
    doc.put("title", first.title());
    doc.put(PAGE_TITLE, analysis.tokens(first.title()));
    doc.put(PAGE_TEXT, analysis.tokens(PageDocuments.text(chunks)));
    return doc;
  }

  /** Hybrid search over the chunks {@code filter} admits, fused as {@link HybridSearch} does. */
  List<ChunkHit> hybrid(Query filter, String text, float[] vector, int limit, boolean vectors)
      throws IOException {
    int candidates = Math.max(MIN_CANDIDATES, 4 * limit);
    Map<String, Stored> docs = new LinkedHashMap<>();
    Map<String, Float> bm25 = new HashMap<>();
    for (Hit<Stored> hit : textHits(filter, text, candidates, TEXT, TITLE, true)) {
      docs.put(hit.id(), hit.source());
      bm25.put(hit.id(), hit.score().floatValue());
    }
    if (vectors) {
      for (Hit<Stored> hit : vectorHits(filter, vector, candidates)) {
        docs.putIfAbsent(hit.id(), hit.source());
      }
    }
    Map<String, float[]> vectorsById = new HashMap<>();
    docs.forEach((id, s) -> vectorsById.put(id, s.chunk().vector()));
    List<ChunkHit> out = new ArrayList<>();
    for (HybridSearch.Scored<String> s :
        HybridSearch.fuse(docs.keySet(), bm25, vectorsById, vector, limit)) {
      out.add(new ChunkHit(docs.get(s.doc()).chunk(), s.textScore(), s.cosine(), s.score()));
    }
    return out;
  }

  /** Plain BM25, the best score 1. */
  List<ChunkHit> text(Query filter, String text, int limit) throws IOException {
    List<Hit<Stored>> hits = textHits(filter, text, limit, TEXT, TITLE, true);
    double best = hits.isEmpty() ? 0 : hits.getFirst().score();
    List<ChunkHit> out = new ArrayList<>(hits.size());
    for (Hit<Stored> hit : hits) {
      out.add(new ChunkHit(hit.source().chunk(), hit.score(), 0, hit.score() / best));
    }
    return out;
  }

  /** Page search: the candidates of {@link PageSearch}, measured here, ranked by PageRanking. */
  List<PageHit> pages(
      String collection,
      Set<String> urls,
      String text,
      float[] vector,
      int limit,
      PageFusion fusion,
      boolean allCandidates,
      boolean vectors)
      throws IOException {
    Query pages = term("page_collection", collection);
    Query chunks = collection(collection);
    if (!urls.isEmpty()) {
      pages = and(pages, terms("url", urls));
      chunks = and(chunks, terms("url", urls));
    }
    int passageCandidates = Math.max(MIN_PASSAGE_CANDIDATES, 6 * limit);
    Set<String> found = new LinkedHashSet<>();
    int pageCandidates = Math.max(MIN_PAGE_CANDIDATES, 3 * limit);
    textHits(pages, text, pageCandidates, PAGE_TEXT, PAGE_TITLE, false)
        .forEach(h -> found.add(h.source().url()));
    textHits(chunks, text, passageCandidates, TEXT, TITLE, false)
        .forEach(h -> found.add(h.source().url()));
    if (vectors && vector.length > 0) {
      vectorHits(chunks, vector, passageCandidates).forEach(h -> found.add(h.source().url()));
    }
    if (found.isEmpty()) {
      return List.of();
    }
    int keep = allCandidates ? found.size() : limit;
    return measure(pages, chunks, found, text, vector, keep, fusion);
  }

  private List<PageHit> measure(
      Query pages,
      Query chunks,
      Set<String> urls,
      String text,
      float[] vector,
      int limit,
      PageFusion fusion)
      throws IOException {
    Query inUrls = terms("url", urls);
    // Page BM25, and which query terms each page holds (named per term): one request.
    Map<String, Double> pageBm25 = new HashMap<>();
    Map<String, List<String>> held = new HashMap<>();
    for (Hit<Stored> hit :
        textHits(and(pages, inUrls), text, urls.size(), PAGE_TEXT, PAGE_TITLE, false)) {
      pageBm25.put(hit.source().url(), hit.score());
      held.put(hit.source().url(), hit.matchedQueries());
    }
    // Every chunk of the candidates with its BM25 (0 when it holds no query term) and vector.
    Optional<Query> words = textQuery(text, TEXT, TITLE);
    Query all = and(chunks, inUrls);
    Query scored =
        words.isEmpty() ? all : Query.of(q -> q.bool(b -> b.filter(all).should(words.get())));
    List<Hit<Stored>> hits = search(scored, MAX_WINDOW, CHUNK_FIELDS);
    List<Hit<Stored>> ordered = new ArrayList<>(hits);
    ordered.sort(
        Comparator.comparing((Hit<Stored> h) -> h.source().url())
            .thenComparingInt(h -> h.source().position()));
    List<PageRanking.Passage<Stored>> passages = new ArrayList<>(ordered.size());
    for (Hit<Stored> hit : ordered) {
      double bm25 = words.isEmpty() || hit.score() == null ? 0 : hit.score();
      passages.add(
          new PageRanking.Passage<>(
              hit.source(), hit.source().url(), bm25, hit.source().chunk().vector()));
    }
    return PageRanking.rank(
        passages,
        pageBm25,
        termCoverage(text, held),
        text,
        vector,
        limit,
        fusion,
        (stored, url, v) -> stored.chunk());
  }

  /**
   * The idf-weighted share of the query's terms each page holds, as {@link PageSearch} measures it
   * (idf over every page document of the index).
   */
  private Map<String, Double> termCoverage(String text, Map<String, List<String>> held)
      throws IOException {
    long n = Math.max(1, count(Query.of(q -> q.exists(e -> e.field(PAGE_TEXT)))));
    Map<String, Double> idfs = new HashMap<>();
    double total = 0;
    for (String term : analysis.terms(text, PAGE_TEXT)) {
      long df = count(term(PAGE_TEXT, term));
      double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      idfs.put(term, idf);
      total += idf;
    }
    Map<String, Double> out = new HashMap<>();
    for (var entry : held.entrySet()) {
      double sum = 0;
      for (String term : entry.getValue()) {
        sum += idfs.getOrDefault(term, 0.0);
      }
      out.put(entry.getKey(), total > 0 ? Math.min(1.0, sum / total) : 0);
    }
    return out;
  }

  /** BM25 top {@code n} over a text field and its boosted title field, within {@code filter}. */
  private List<Hit<Stored>> textHits(
      Query filter, String text, int n, String textField, String titleField, boolean chunk)
      throws IOException {
    Optional<Query> words = textQuery(text, textField, titleField);
    if (words.isEmpty()) {
      return List.of();
    }
    Query query = Query.of(q -> q.bool(b -> b.must(words.get()).filter(filter)));
    return search(query, n, chunk ? CHUNK_FIELDS : List.of("url"));
  }

  /**
   * Any analysed term in the text or (boosted) title, one clause per term named after it (so a hit
   * says which terms it holds); the score is the sum of the matching term queries, as in Lucene.
   */
  private Optional<Query> textQuery(String text, String textField, String titleField)
      throws IOException {
    Set<String> terms = analysis.terms(text, textField);
    if (terms.isEmpty()) {
      return Optional.empty();
    }
    List<Query> any = new ArrayList<>(terms.size());
    for (String t : terms) {
      any.add(
          Query.of(
              q ->
                  q.bool(
                      b ->
                          b.queryName(t)
                              .should(s -> s.term(x -> x.field(textField).value(t)))
                              .should(
                                  s ->
                                      s.term(
                                          x -> x.field(titleField).value(t).boost(TITLE_BOOST))))));
    }
    return Optional.of(Query.of(q -> q.bool(b -> b.should(any))));
  }

  private List<Hit<Stored>> vectorHits(Query filter, float[] vector, int k) throws IOException {
    List<Float> query = new ArrayList<>(vector.length);
    for (float v : vector) {
      query.add(v);
    }
    int window = Math.min(MAX_WINDOW, Math.max(100, 2 * k));
    SearchRequest request =
        SearchRequest.of(
            s ->
                s.index(index)
                    .size(k)
                    .knn(
                        n ->
                            n.field(VECTOR)
                                .queryVector(query)
                                .k(k)
                                .numCandidates(window)
                                .filter(filter))
                    .source(c -> c.filter(f -> f.includes(CHUNK_FIELDS))));
    return client.search(request, Stored.class).hits().hits();
  }

  private List<Hit<Stored>> search(Query query, int size, List<String> fields) throws IOException {
    SearchRequest request =
        SearchRequest.of(
            s ->
                s.index(index)
                    .size(Math.min(MAX_WINDOW, size))
                    .query(query)
                    .source(c -> c.filter(f -> f.includes(fields))));
    return client.search(request, Stored.class).hits().hits();
  }

  /** The ids of up to {@link #MAX_WINDOW} documents {@code query} matches. */
  List<String> ids(Query query) throws IOException {
    SearchRequest request =
        SearchRequest.of(
            s -> s.index(index).size(MAX_WINDOW).query(query).source(c -> c.fetch(false)));
    return client.search(request, Void.class).hits().hits().stream().map(Hit::id).toList();
  }

  private long count(Query query) throws IOException {
    return client.count(c -> c.index(index).query(query)).count();
  }

  /** Chunk documents (page documents have no {@code collection}). */
  static Query chunks() {
    return Query.of(q -> q.exists(e -> e.field("collection")));
  }

  static Query collection(String collection) {
    return term("collection", collection);
  }

  static Query term(String field, String value) {
    return Query.of(q -> q.term(t -> t.field(field).value(value)));
  }

  static Query terms(String field, Collection<String> values) {
    List<FieldValue> list = values.stream().map(FieldValue::of).toList();
    return Query.of(q -> q.terms(t -> t.field(field).terms(v -> v.value(list))));
  }

  static Query and(Query a, Query b) {
    return Query.of(q -> q.bool(x -> x.filter(a).filter(b)));
  }
}
