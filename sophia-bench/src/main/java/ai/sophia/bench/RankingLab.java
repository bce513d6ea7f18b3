package ai.sophia.bench;

import ai.sophia.embedding.Embedder;
import ai.sophia.memory.ChunkHit;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.PageFusion;
import ai.sophia.memory.PageHit;
import ai.sophia.memory.PageSignals;
import ai.sophia.web.ExtractedPage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;

/**
 * The ranking experiments of issue 12 that {@link FusionTuner}'s grid cannot express ({@code
 * bench/retrieval.sh --lab true}): per-field BM25 over title, headings ({@code h1}–{@code h4} and
 * {@code <dt>} terms) and body, passage-to-page aggregation variants, exact identifier matches, and
 * a learned ranker (listwise softmax or pairwise logistic regression over those features), trained
 * on the tune halves with the L2 penalty chosen by cross-validation inside them, reported on both
 * halves beside {@link PageFusion#standard()} and {@link PageFusion#learned()}. The field index is
 * the benchmark's own (built from the HTML files); nothing here changes how Sophia ranks.
 */
final class RankingLab {
  private static final String[] FIELDS = {"title", "headings", "body"};

  /** Every feature the lab knows, by name; a model uses a subset. */
  static final List<String> FEATURES =
      List.of(
          "pageBm25",
          "passageBm25",
          "cosine",
          "cosineRaw",
          "centroid",
          "coverage",
          "rrfBm25",
          "rrfVector",
          "cosine2",
          "cosineTop2",
          "cosineSoftmax",
          "bm25Top2",
          "titleBm25",
          "headingsBm25",
          "bodyBm25",
          "titleCoverage",
          "identifierTitle",
          "identifierHeading",
          "identifierBody",
          "passages",
          "expansionBm25");

  private record Candidate(String name, double[] features, PageSignals signals) {}

  private record Searched(
      String set, int index, Question question, PageFusion.Style style, List<Candidate> cands) {}

  private final List<Searched> searched = new ArrayList<>();
  private Searched readme;
  private static final Question README =
      new Question(
          "how do I stop a query that runs too long",
          List.of("runtime-config-client.html", "functions-admin.html"));
  private final Analyzer analyzer = new EnglishAnalyzer();
  private final Vocabulary vocabulary;
  private static final double[] EXPANSION_WEIGHTS = {0, 0.5, 1, 2};
  private final Map<Double, Map<Question, Integer>> expandedRanks = new HashMap<>();

  /** A second embedding model's index of the same pages, for a ranker over both at once. */
  record Second(LuceneDocumentIndex index, Embedder embedder) {}

  private final LuceneDocumentIndex index;
  private final Embedder embedder;
  private final Second second;

  /**
   * The feature names of a candidate: {@link #FEATURES}, then with a second model the same again
   * for its index ({@code 2:} in front, 0 where it did not find the page) and whether each found
   * it.
   */
  private final List<String> names;

  RankingLab(
      Map<String, List<Question>> sets,
      LuceneDocumentIndex index,
      Embedder embedder,
      List<ExtractedPage> pages,
      Path docs,
      Second second) {
    this.index = index;
    this.embedder = embedder;
    this.second = second;
    List<String> all = new ArrayList<>(FEATURES);
    if (second != null) {
      FEATURES.forEach(f -> all.add("2:" + f));
      all.addAll(List.of("found1", "found2"));
    }
    names = List.copyOf(all);
    try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
      fieldIndex(dir, pages, docs);
      vocabulary = Vocabulary.of(pages, embedder, analyzer);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher fields = new IndexSearcher(reader);
        sets.forEach(
            (set, questions) -> {
              for (int i = 0; i < questions.size(); i++) {
                Question q = questions.get(i);
                searched.add(
                    new Searched(set, i, q, PageFusion.Style.of(q.text()), candidates(q, fields)));
              }
            });
        readme =
            new Searched(
                "readme",
                0,
                README,
                PageFusion.Style.of(README.text()),
                candidates(README, fields));
        System.out.println(
            "README question's expansion: "
                + vocabulary.expand(embedder.embedQuery(README.text()), terms(README.text())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The candidates of the first model's page search with their features; with a second model, the
   * union of both searches' candidates (the first's order, then the second's new ones), each with
   * both models' features. A page only the second found keeps the second's signals for {@code
   * learned()}'s row.
   */
  private List<Candidate> candidates(Question q, IndexSearcher fields) {
    List<Candidate> first = features(q, embedder, index, fields, true);
    if (second == null) {
      return first;
    }
    Map<String, Candidate> firsts = new LinkedHashMap<>();
    first.forEach(c -> firsts.put(c.name(), c));
    Map<String, Candidate> seconds = new LinkedHashMap<>();
    features(q, second.embedder(), second.index(), fields, false)
        .forEach(c -> seconds.put(c.name(), c));
    Set<String> union = new LinkedHashSet<>(firsts.keySet());
    union.addAll(seconds.keySet());
    int n = FEATURES.size();
    List<Candidate> out = new ArrayList<>();
    for (String name : union) {
      Candidate a = firsts.get(name);
      Candidate b = seconds.get(name);
      double[] f = new double[2 * n + 2];
      if (a != null) {
        System.arraycopy(a.features(), 0, f, 0, n);
      }
      if (b != null) {
        System.arraycopy(b.features(), 0, f, n, n);
      }
      f[2 * n] = a != null ? 1 : 0;
      f[2 * n + 1] = b != null ? 1 : 0;
      out.add(new Candidate(name, f, (a != null ? a : b).signals()));
    }
    return out;
  }

  /** {@code expand}: the vocabulary's expansion (embedded by the first model) is measured. */
  private List<Candidate> features(
      Question q, Embedder model, LuceneDocumentIndex pages, IndexSearcher fields, boolean expand) {
    float[] vector = model.embedQuery(q.text());
    List<PageHit> hits =
        pages.searchPages(
            DocumentIndex.DOCUMENTS,
            Set.of(),
            q.text(),
            vector,
            RetrievalScorer.PAGES,
            PageFusion.standard(),
            true);
    return features(q, vector, hits, fields, expand);
  }

  /** Indexes title, headings and body of every page. */
  private void fieldIndex(ByteBuffersDirectory dir, List<ExtractedPage> pages, Path docs)
      throws IOException {
    try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(analyzer))) {
      for (ExtractedPage page : pages) {
        String name = name(page.canonicalUrl());
        String headings = headings(docs.resolve(name));
        Document d = new Document();
        d.add(new StringField("name", name, Field.Store.YES));
        d.add(new TextField("title", page.title(), Field.Store.NO));
        d.add(new TextField("headings", headings, Field.Store.NO));
        d.add(new TextField("body", page.text(), Field.Store.NO));
        writer.addDocument(d);
      }
    }
  }

  /** The page's headings and defined terms, one per line, outside its tables of contents. */
  static String headings(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    org.jsoup.nodes.Document doc =
        Jsoup.parse(Files.readString(file, StandardCharsets.UTF_8), file.toUri().toString());
    doc.select(".toc, .navheader, .navfooter, nav").remove();
    StringBuilder out = new StringBuilder();
    for (Element e : doc.select("h1, h2, h3, h4, dt")) {
      out.append(e.text()).append('\n');
    }
    return out.toString();
  }

  private List<Candidate> features(
      Question q, float[] vector, List<PageHit> hits, IndexSearcher fields, boolean expand) {
    Set<String> terms = terms(q.text());
    Map<String, Double> expanded = expand ? vocabulary.expand(vector, terms) : Map.of();
    Map<String, Double> expansion = expansionBm25(fields, expanded);
    for (double w : expand ? EXPANSION_WEIGHTS : new double[0]) {
      Map<String, Double> query = new LinkedHashMap<>();
      terms.forEach(t -> query.put(t, 1.0));
      if (w > 0) {
        expanded.forEach((t, c) -> query.merge(t, w * c, Double::sum));
      }
      List<String> order =
          expansionBm25(fields, query).entrySet().stream()
              .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
              .limit(RetrievalScorer.PAGES)
              .map(Map.Entry::getKey)
              .toList();
      int rank = 0;
      for (int r = 0; r < order.size() && rank == 0; r++) {
        rank = q.answeredBy(order.get(r)) ? r + 1 : 0;
      }
      expandedRanks.computeIfAbsent(w, k -> new HashMap<>()).put(q, rank);
    }
    double maxExpansion = 1e-9;
    for (double v : expansion.values()) {
      maxExpansion = Math.max(maxExpansion, v);
    }
    List<Map<String, Double>> fieldScores = new ArrayList<>();
    for (String field : FIELDS) {
      fieldScores.add(fieldBm25(fields, field, terms));
    }
    Map<String, Set<String>> titleTerms = new HashMap<>();
    List<String> identifiers = terms.stream().filter(t -> t.contains("_")).toList();
    List<Map<String, Double>> idShare = new ArrayList<>();
    for (String field : FIELDS) {
      Map<String, Double> share = new HashMap<>();
      for (String id : identifiers) {
        fieldBm25(fields, field, Set.of(id))
            .keySet()
            .forEach(n -> share.merge(n, 1.0 / identifiers.size(), Double::sum));
      }
      idShare.add(share);
    }
    List<Candidate> out = new ArrayList<>();
    double maxPage = 1e-9;
    double maxPassage = 1e-9;
    double maxTop2 = 1e-9;
    double[] maxField = {1e-9, 1e-9, 1e-9};
    double low = Double.MAX_VALUE;
    double high = -Double.MAX_VALUE;
    for (PageHit h : hits) {
      PageSignals s = h.signals();
      maxPage = Math.max(maxPage, s.pageBm25());
      maxPassage = Math.max(maxPassage, s.passageBm25());
      maxTop2 = Math.max(maxTop2, top2(h, true));
      low = Math.min(low, s.cosine());
      high = Math.max(high, s.cosine());
      String name = name(h.url());
      for (int f = 0; f < FIELDS.length; f++) {
        maxField[f] = Math.max(maxField[f], fieldScores.get(f).getOrDefault(name, 0.0));
      }
    }
    double range = Math.max(1e-9, high - low);
    for (PageHit h : hits) {
      PageSignals s = h.signals();
      String name = name(h.url());
      double[] cos = h.passages().stream().mapToDouble(ChunkHit::vectorScore).sorted().toArray();
      double second = cos.length > 1 ? cos[cos.length - 2] : cos.length == 1 ? cos[0] : 0;
      double softmax = 0;
      for (double c : cos) {
        softmax += Math.exp((c - s.cosine()) / 0.05);
      }
      softmax = s.cosine() + 0.05 * Math.log(Math.max(1e-9, softmax));
      Set<String> inTitle = titleTerms.computeIfAbsent(name, n -> terms(h.title()));
      long titleHits = terms.stream().filter(inTitle::contains).count();
      double[] f = {
        s.pageBm25() / maxPage,
        s.passageBm25() / maxPassage,
        (s.cosine() - low) / range,
        s.cosine(),
        s.centroid(),
        s.termCoverage(),
        s.bm25Rank() > 0 ? 1.0 / s.bm25Rank() : 0,
        1.0 / s.vectorRank(),
        (second - low) / range,
        ((s.cosine() + second) / 2 - low) / range,
        (softmax - low) / range,
        top2(h, true) / maxTop2,
        fieldScores.get(0).getOrDefault(name, 0.0) / maxField[0],
        fieldScores.get(1).getOrDefault(name, 0.0) / maxField[1],
        fieldScores.get(2).getOrDefault(name, 0.0) / maxField[2],
        terms.isEmpty() ? 0 : (double) titleHits / terms.size(),
        idShare.get(0).getOrDefault(name, 0.0),
        idShare.get(1).getOrDefault(name, 0.0),
        idShare.get(2).getOrDefault(name, 0.0),
        Math.log(1 + h.passages().size()),
        expansion.getOrDefault(name, 0.0) / maxExpansion
      };
      out.add(new Candidate(name, f, s));
    }
    return out;
  }

  /** Mean of the two best passage BM25 scores. */
  private static double top2(PageHit h, boolean bm25) {
    double[] v =
        h.passages().stream()
            .mapToDouble(p -> bm25 ? p.textScore() : p.vectorScore())
            .sorted()
            .toArray();
    if (v.length == 0) {
      return 0;
    }
    return v.length == 1 ? v[0] / 2 : (v[v.length - 1] + v[v.length - 2]) / 2;
  }

  private static Map<String, Double> fieldBm25(
      IndexSearcher searcher, String field, Set<String> t) {
    try {
      return fieldBm25Or(searcher, field, t);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Double> fieldBm25Or(
      IndexSearcher searcher, String field, Set<String> t) throws IOException {
    Map<String, Double> out = new HashMap<>();
    if (t.isEmpty()) {
      return out;
    }
    BooleanQuery.Builder any = new BooleanQuery.Builder();
    for (String term : t) {
      any.add(new TermQuery(new Term(field, term)), BooleanClause.Occur.SHOULD);
    }
    StoredFields stored = searcher.storedFields();
    for (ScoreDoc hit : searcher.search(any.build(), 5000).scoreDocs) {
      out.put(stored.document(hit.doc).get("name"), (double) hit.score);
    }
    return out;
  }

  /** BM25 over title and body of the expansion terms, each boosted by its cosine to the query. */
  private static Map<String, Double> expansionBm25(
      IndexSearcher searcher, Map<String, Double> expansion) {
    Map<String, Double> out = new HashMap<>();
    if (expansion.isEmpty()) {
      return out;
    }
    BooleanQuery.Builder any = new BooleanQuery.Builder();
    expansion.forEach(
        (term, weight) -> {
          for (String field : List.of("title", "body")) {
            any.add(
                new BoostQuery(new TermQuery(new Term(field, term)), weight.floatValue()),
                BooleanClause.Occur.SHOULD);
          }
        });
    try {
      StoredFields stored = searcher.storedFields();
      for (ScoreDoc hit : searcher.search(any.build(), 5000).scoreDocs) {
        out.put(stored.document(hit.doc).get("name"), (double) hit.score);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private Set<String> terms(String text) {
    Set<String> out = new LinkedHashSet<>();
    try (TokenStream tokens = analyzer.tokenStream("body", text)) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      tokens.reset();
      while (tokens.incrementToken()) {
        out.add(term.toString());
      }
      tokens.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static String name(String url) {
    return url.substring(url.lastIndexOf('/') + 1);
  }

  // ---- models ----

  /** A linear scorer over some features. */
  private record Linear(String label, int[] features, double[] weights) {
    double score(double[] f) {
      double s = 0;
      for (int i = 0; i < features.length; i++) {
        s += weights[i] * f[features[i]];
      }
      return s;
    }
  }

  void report() {
    System.out.printf(
        "%n### Ranking lab (learned rankers over per-field BM25, aggregation, identifiers)%n%n");
    System.out.printf(
        "Candidates hold an answering page: %s%n%n",
        String.join(
            ", ",
            searched.stream()
                .map(Searched::set)
                .distinct()
                .map(
                    set ->
                        String.format(
                            Locale.ROOT,
                            "%s %.3f",
                            set,
                            searched.stream()
                                    .filter(s -> s.set.equals(set))
                                    .filter(
                                        s ->
                                            s.cands.stream()
                                                .anyMatch(c -> s.question.answeredBy(c.name)))
                                    .count()
                                / (double)
                                    searched.stream().filter(s -> s.set.equals(set)).count()))
                .toList()));
    List<String> standard =
        List.of("pageBm25", "passageBm25", "cosine", "centroid", "rrfBm25", "rrfVector");
    List<String> aggregation = new ArrayList<>(standard);
    aggregation.addAll(
        List.of(
            "cosineRaw",
            "coverage",
            "cosine2",
            "cosineTop2",
            "cosineSoftmax",
            "bm25Top2",
            "passages"));
    List<String> fieldsNoHeadings = new ArrayList<>(aggregation);
    fieldsNoHeadings.addAll(
        List.of("titleBm25", "bodyBm25", "titleCoverage", "identifierTitle", "identifierBody"));
    Map<String, List<String>> subsets = new java.util.LinkedHashMap<>();
    subsets.put("A standard signals", standard);
    subsets.put("B + aggregation, coverage (no index change, no extra query)", aggregation);
    subsets.put("C + title, body BM25, identifiers (no index change)", fieldsNoHeadings);
    List<String> headings = new ArrayList<>(FEATURES);
    headings.remove("expansionBm25");
    subsets.put("D + headings", headings);
    List<String> expandedB = new ArrayList<>(aggregation);
    expandedB.add("expansionBm25");
    subsets.put("E B + expansion BM25 (vocabulary nearest the query's vector)", expandedB);
    List<String> expandedC = new ArrayList<>(fieldsNoHeadings);
    expandedC.add("expansionBm25");
    subsets.put("F C + expansion BM25", expandedC);
    if (second != null) {
      List<String> jointB = new ArrayList<>(aggregation);
      aggregation.forEach(f -> jointB.add("2:" + f));
      jointB.addAll(List.of("found1", "found2"));
      subsets.put("G B of both models, found by each", jointB);
      List<String> jointC = new ArrayList<>(fieldsNoHeadings);
      aggregation.forEach(f -> jointC.add("2:" + f));
      jointC.addAll(List.of("found1", "found2"));
      subsets.put("H C + B of the second model, found by each", jointC);
      List<String> secondB = new ArrayList<>();
      aggregation.forEach(f -> secondB.add("2:" + f));
      secondB.add("found2");
      subsets.put("I B of the second model alone (over the union)", secondB);
    }
    System.out.println(
        "| BM25 title + body, expansion weight | set | half | r@1 | r@3 | r@5 | MRR |");
    System.out.println("|---|---|---|---:|---:|---:|---:|");
    for (double w : EXPANSION_WEIGHTS) {
      for (String set : searched.stream().map(Searched::set).distinct().toList()) {
        for (boolean tune : List.of(true, false)) {
          Scores sc =
              Scores.of(
                  searched.stream()
                      .filter(s -> s.set.equals(set) && Question.tuneHalf(s.index) == tune)
                      .mapToInt(s -> expandedRanks.get(w).get(s.question))
                      .toArray());
          System.out.printf(
              Locale.ROOT,
              "| %.1f | %s | %s | %.3f | %.3f | %.3f | %.3f |%n",
              w,
              set,
              tune ? "tune" : "report",
              sc.recallAt1(),
              sc.recallAt3(),
              sc.recallAt5(),
              sc.mrr());
        }
      }
    }
    System.out.println();
    System.out.println("| model | set | half | recall@1 | recall@3 | recall@5 | MRR@10 |");
    System.out.println("|---|---|---|---:|---:|---:|---:|");
    printRows("standard() (the blend Sophia ranks with)", null);
    if (second == null) {
      // Over two models' candidates its signals mix two cosine bands: no figure to read.
      printRows("learned() (LearnedFusion, not the default)", LEARNED);
    }
    for (var e : subsets.entrySet()) {
      for (String loss : List.of("listwise")) {
        int[] idx = e.getValue().stream().mapToInt(names::indexOf).toArray();
        Linear model = train(loss + ", " + e.getKey(), idx, loss.equals("pairwise"));
        printRows(model.label + " (λ " + lambdaOf(model) + ", CV " + cv.get(model) + ")", model);
        System.out.println(
            "|   weights: "
                + IntStream.range(0, idx.length)
                    .mapToObj(
                        i ->
                            String.format(
                                Locale.ROOT, "%s %.4f", names.get(idx[i]), model.weights[i]))
                    .toList()
                + " | | | | | | |");
      }
    }
  }

  private final Map<Linear, Double> lambdas = new HashMap<>();
  private final Map<Linear, String> cv = new HashMap<>();

  private String lambdaOf(Linear model) {
    return String.valueOf(lambdas.get(model));
  }

  private void printRows(String label, Linear model) {
    System.out.printf(
        "| %s | README question: %s | | | | | |%n",
        label, String.join(", ", top(readme, model, 5)));
    for (String set : searched.stream().map(Searched::set).distinct().toList()) {
      for (boolean tune : List.of(true, false)) {
        List<Searched> half =
            searched.stream()
                .filter(s -> s.set.equals(set) && Question.tuneHalf(s.index) == tune)
                .toList();
        Scores sc = Scores.of(half.stream().mapToInt(s -> rank(s, model)).toArray());
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %s (%d) | %.3f | %.3f | %.3f | %.3f |%n",
            label,
            set,
            tune ? "tune" : "report",
            sc.questions(),
            sc.recallAt1(),
            sc.recallAt3(),
            sc.recallAt5(),
            sc.mrr());
      }
    }
  }

  private static List<String> top(Searched s, Linear model, int n) {
    double[] scores = scores(s, model);
    return IntStream.range(0, scores.length)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]))
        .limit(n)
        .map(i -> s.cands.get(i).name)
        .toList();
  }

  /** Marks the product's learned ranker, {@link PageFusion#learned()}. */
  private static final Linear LEARNED = new Linear("learned()", new int[0], new double[0]);

  private static double[] scores(Searched s, Linear model) {
    if (model == LEARNED) {
      return PageFusion.learned()
          .scores(s.question.text(), s.cands.stream().map(Candidate::signals).toList());
    }
    double[] scores = new double[s.cands.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = model == null ? -i : model.score(s.cands.get(i).features);
    }
    return scores;
  }

  /** Rank of the first answering page among the candidates; {@code null} model: standard(). */
  private static int rank(Searched s, Linear model) {
    double[] scores = scores(s, model);
    List<Integer> order =
        IntStream.range(0, scores.length)
            .boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]))
            .limit(RetrievalScorer.PAGES)
            .toList();
    for (int r = 0; r < order.size(); r++) {
      if (s.question.answeredBy(s.cands.get(order.get(r)).name)) {
        return r + 1;
      }
    }
    return 0;
  }

  private static final int ITERATIONS = 1500;
  private static final double[] LAMBDAS = {0.0003, 0.001, 0.003, 0.01, 0.03, 0.1};

  /** Trains on the tune halves; λ by 5-fold cross-validation (objective r@1 + r@3 + MRR). */
  private Linear train(String label, int[] features, boolean pairwise) {
    List<Searched> tune =
        searched.stream()
            .filter(s -> Question.tuneHalf(s.index))
            .filter(s -> s.cands.stream().anyMatch(c -> s.question.answeredBy(c.name)))
            .toList();
    List<Searched> tuneAll = searched.stream().filter(s -> Question.tuneHalf(s.index)).toList();
    double bestLambda = LAMBDAS[0];
    double bestObjective = -1;
    for (double lambda : LAMBDAS) {
      double objective = 0;
      for (int repeat = 0; repeat < 2; repeat++) {
        List<Searched> shuffled = new ArrayList<>(tuneAll);
        java.util.Collections.shuffle(shuffled, new Random(17 + repeat));
        for (int fold = 0; fold < 5; fold++) {
          List<Searched> train = new ArrayList<>();
          List<Searched> test = new ArrayList<>();
          for (int i = 0; i < shuffled.size(); i++) {
            (i % 5 == fold ? test : train).add(shuffled.get(i));
          }
          train.retainAll(tune);
          Linear m = fit(label, features, train, lambda, pairwise);
          Scores sc = Scores.of(test.stream().mapToInt(s -> rank(s, m)).toArray());
          objective += sc.recallAt1() + sc.recallAt3() + sc.mrr();
        }
      }
      if (objective > bestObjective + 1e-9) {
        bestObjective = objective;
        bestLambda = lambda;
      }
    }
    Linear m = fit(label, features, tune, bestLambda, pairwise);
    lambdas.put(m, bestLambda);
    cv.put(m, String.format(Locale.ROOT, "%.3f", bestObjective / 30));
    return m;
  }

  private static Linear fit(
      String label, int[] features, List<Searched> train, double lambda, boolean pairwise) {
    int d = features.length;
    List<double[][]> xs = new ArrayList<>();
    List<boolean[]> rels = new ArrayList<>();
    for (Searched s : train) {
      double[][] x = new double[s.cands.size()][];
      boolean[] rel = new boolean[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = pick(s.cands.get(i).features, features);
        rel[i] = s.question.answeredBy(s.cands.get(i).name);
      }
      xs.add(x);
      rels.add(rel);
    }
    double[] w = new double[d];
    Arrays.fill(w, 0.1);
    double rate = 2.0;
    for (int iter = 0; iter < ITERATIONS; iter++) {
      double[] grad = new double[d];
      for (int q = 0; q < xs.size(); q++) {
        double[][] x = xs.get(q);
        boolean[] rel = rels.get(q);
        double[] z = new double[x.length];
        for (int i = 0; i < z.length; i++) {
          for (int k = 0; k < d; k++) {
            z[i] += w[k] * x[i][k];
          }
        }
        if (pairwise) {
          int pairs = 0;
          for (boolean r : rel) {
            pairs += r ? rel.length : 0;
          }
          for (int i = 0; i < rel.length; i++) {
            if (!rel[i]) {
              continue;
            }
            for (int j = 0; j < rel.length; j++) {
              if (rel[j]) {
                continue;
              }
              double g = -1 / (1 + Math.exp(z[i] - z[j])) / pairs;
              for (int k = 0; k < d; k++) {
                grad[k] += g * (x[i][k] - x[j][k]);
              }
            }
          }
        } else {
          double max = -Double.MAX_VALUE;
          for (double v : z) {
            max = Math.max(max, v);
          }
          double sum = 0;
          double relSum = 0;
          for (int i = 0; i < z.length; i++) {
            z[i] = Math.exp(z[i] - max);
            sum += z[i];
            relSum += rel[i] ? z[i] : 0;
          }
          // loss = −log(Σ_rel p): gradient Σ_i (p_i − q_i) x_i, q the share among the relevant
          for (int i = 0; i < z.length; i++) {
            double g = z[i] / sum - (rel[i] ? z[i] / relSum : 0);
            for (int k = 0; k < d; k++) {
              grad[k] += g * x[i][k];
            }
          }
        }
      }
      for (int k = 0; k < d; k++) {
        w[k] -= rate * (grad[k] / Math.max(1, xs.size()) + 2 * lambda * w[k]);
      }
    }
    return new Linear(label, features, w);
  }

  private static double[] pick(double[] all, int[] features) {
    double[] out = new double[features.length];
    for (int i = 0; i < features.length; i++) {
      out[i] = all[features[i]];
    }
    return out;
  }
}
