package ai.sophia.bench;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.error.InvalidInputException;
import ai.sophia.error.SophiaException;
import ai.sophia.ingest.Chunker;
import ai.sophia.ingest.DirectoryReader;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.ingest.Ingestor;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.PageFusion;
import ai.sophia.memory.PageHit;
import ai.sophia.memory.SqlDocumentStore;
import ai.sophia.memory.SqliteDatabase;
import ai.sophia.research.LocalSearchProvider;
import ai.sophia.search.SearchHit;
import ai.sophia.web.ExtractedPage;
import ai.sophia.web.PageExtractor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retrieval quality benchmark ({@code bench/retrieval.sh}). Ingests a directory exactly as
 * {@code sophia ingest} does (or reuses a data directory that did), then asks every labelled
 * question of every set through each ranking: the baseline, plain BM25 over whole pages (Lucene,
 * English analyzer, title + text, one index entry per page); embeddings alone; the former passage
 * hybrid; and Sophia's page ranking, the {@code local} engine. Each set is reported on its two
 * halves ({@link Question#tuneHalf}): the tune half, on which {@code --tune} chooses the fusion
 * weights ({@link FusionTuner}), and the report half, which no choice looked at.
 *
 * <p>Flags: {@code --docs DIR}, {@code --data DIR} (a data directory the docs were ingested into
 * with {@code --model}, ingested there first if it has no index; then copied, never written),
 * {@code --questions a.tsv,b.tsv}, {@code --model NAME}, {@code --out DIR}, {@code --tune true},
 * {@code --lab true} (the experiments of {@link RankingLab}), {@code --backend
 * lucene|elasticsearch} (elasticsearch: the same passages copied into a test Elasticsearch node,
 * {@link TestElasticsearch}, and every ranking asked of both backends in the same run, with the
 * copy's write rate beside a fresh Lucene index's), {@code --chunk min,max,overlap} (the passage
 * bounds in characters an ingest uses; default {@link Chunker#create()}'s).
 */
public final class RetrievalEval {
  private static final Logger log = LoggerFactory.getLogger(RetrievalEval.class);
  private static final Set<String> FLAGS =
      Set.of(
          "docs",
          "data",
          "questions",
          "model",
          "out",
          "tune",
          "backend",
          "lab",
          "lab-second",
          "lab-second-data",
          "chunk");
  private static final long MAX_FILE_BYTES = 5_000_000;

  private RetrievalEval() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (SophiaException e) {
      System.err.println("retrieval: " + e.getMessage());
      System.exit(2);
    }
    // The embedders' thread pools would keep nothing alive, but say plainly that the run is over.
    System.exit(0);
  }

  static void run(String[] args) {
    Flags flags = Flags.parse(args, FLAGS);
    Path docs = flags.path("docs", "/usr/share/doc/postgresql-doc-15/html");
    Map<String, List<Question>> sets =
        Question.answerableSets(
            flags.list("questions", "bench/retrieval/questions.tsv,bench/retrieval/keywords.tsv"));
    String model = flags.text("model", "all-minilm-l6-v2");
    Chunker chunker = chunker(flags);
    Path out = flags.path("out", "bench/results");

    List<ExtractedPage> pages = new ArrayList<>();
    DirectoryReader.create(PageExtractor.create(), MAX_FILE_BYTES)
        .read(docs, pages::add, IngestProgress.none());
    sets.values().forEach(questions -> checkLabels(questions, pages, docs));
    log.info("{} pages in {}, sets {}, model {}", pages.size(), docs, sets.keySet(), model);

    Map<String, List<ModelRun>> runs = new LinkedHashMap<>();
    try (ScratchDirectory scratch = ScratchDirectory.create("sophia-retrieval-")) {
      OnnxEmbedder embedder = OnnxEmbedder.create(model);
      embedder.load();
      try (LuceneDocumentIndex baseline =
          LuceneDocumentIndex.open(scratch.resolve("pages"), "none")) {
        RetrievalScorer.indexWholePages(baseline, pages, embedder.dimension());
        sets.forEach(
            (set, questions) ->
                runs.computeIfAbsent(set, s -> new ArrayList<>())
                    .add(new RetrievalScorer(questions).bm25Pages(baseline, pages.size())));
      }
      Path dataDir = scratch.resolve("data");
      if (flags.has("data")) {
        Path kept = flags.path("data", "");
        if (!java.nio.file.Files.isDirectory(kept.resolve("index"))) {
          ingest(docs, model, embedder, chunker, kept);
        }
        dataDir = scratch.copy(kept, "data");
      } else {
        ingest(docs, model, embedder, chunker, dataDir);
      }
      try (LuceneDocumentIndex index = LuceneDocumentIndex.open(dataDir, model)) {
        int chunks = (int) index.count(DocumentIndex.DOCUMENTS);
        sets.forEach(
            (set, questions) -> {
              RetrievalScorer scorer = new RetrievalScorer(questions);
              runs.get(set).addAll(rankings(scorer, index, embedder, chunks));
              runs.get(set).add(learned(scorer, index, embedder, chunks));
            });
        if ("elasticsearch".equals(flags.text("backend", "lucene"))) {
          BackendComparison.run(sets, runs, index, embedder, chunks, scratch.resolve("copy"));
        }
        System.out.printf(
            "%nRetrieval over %s: %d pages, %d passages, model %s%n",
            docs, pages.size(), chunks, model);
        runs.forEach(
            (set, setRuns) -> {
              System.out.printf("%n### %s (%d questions)%n%n", set, sets.get(set).size());
              System.out.print(RetrievalReport.markdown(setRuns));
              System.out.println();
              System.out.print(
                  RetrievalReport.versus(
                      setRuns.get(0),
                      setRuns.stream().filter(r -> r.ranking().equals("sophia")).toList()));
            });
        if (Boolean.parseBoolean(flags.text("tune", "false"))) {
          new FusionTuner(sets, index, embedder).tuneAndReport();
        }
        if (Boolean.parseBoolean(flags.text("lab", "false"))) {
          labReport(flags, sets, index, embedder, pages, docs, scratch);
        }
      }
    }
    Path json = RetrievalReport.writeJson(out, docs.toString(), pages.size(), sets, runs);
    System.out.println();
    System.out.println("Per-question ranks: " + json);
  }

  /** The rankings that read Sophia's index: embeddings alone, passage hybrid, page ranking. */
  static List<ModelRun> rankings(
      RetrievalScorer scorer, DocumentIndex index, OnnxEmbedder embedder, int chunks) {
    String model = embedder.model();
    // Diagnostic: with no query text the passage search ranks by embedding similarity alone.
    ModelRun vector = scorer.score("vector", model, chunks, q -> passages(index, embedder, "", q));
    ModelRun passages =
        scorer.score("passage-hybrid", model, chunks, q -> passages(index, embedder, q, q));
    LocalSearchProvider local = new LocalSearchProvider(index, embedder);
    ModelRun sophia =
        scorer.score(
            "sophia",
            model,
            chunks,
            q -> local.search(q, RetrievalScorer.PAGES).stream().map(SearchHit::url).toList());
    return List.of(vector, passages, sophia);
  }

  /** The page ranking with the learned ranker ({@link PageFusion#learned()}), not the default. */
  private static ModelRun learned(
      RetrievalScorer scorer, LuceneDocumentIndex index, OnnxEmbedder embedder, int chunks) {
    return scorer.score(
        "page-learned",
        embedder.model(),
        chunks,
        q ->
            index
                .searchPages(
                    DocumentIndex.DOCUMENTS,
                    Set.of(),
                    q,
                    embedder.embedQuery(q),
                    RetrievalScorer.PAGES,
                    PageFusion.learned(),
                    false)
                .stream()
                .map(PageHit::url)
                .toList());
  }

  /** The pages of the passage search (the ranking before page ranking), best passage first. */
  private static List<String> passages(
      DocumentIndex index, OnnxEmbedder embedder, String text, String question) {
    return Scores.pageOrder(
        index.search(
            DocumentIndex.DOCUMENTS,
            text,
            embedder.embedQuery(question),
            RetrievalScorer.PAGES * 10));
  }

  /** Ingests {@code docs} into {@code dataDir} the way {@code sophia ingest} does. */
  private static void ingest(
      Path docs, String model, OnnxEmbedder embedder, Chunker chunker, Path dataDir) {
    SophiaConfig config =
        ConfigLoader.create(
                Map.of(
                    ConfigLoader.envName("data_dir"),
                    dataDir.toString(),
                    ConfigLoader.envName("embedding.model"),
                    model))
            .load(Optional.empty());
    try (SqliteDatabase database = SqliteDatabase.open(config.dataDir());
        LuceneDocumentIndex index = LuceneDocumentIndex.open(config.dataDir(), model)) {
      Ingestor ingestor =
          Ingestor.create(
              config,
              PageExtractor.create(),
              chunker,
              embedder,
              index,
              new SqlDocumentStore(database),
              Clock.systemUTC());
      Ingestor.Result ingested = ingestor.ingest(docs.toString(), false, progress(model));
      log.info(
          "{}: ingested {} pages, {} passages in {} s",
          model,
          ingested.stored(),
          ingested.passages(),
          ingested.millis() / 1000);
    }
  }

  /** The chunker of {@code --chunk min,max,overlap}, or the default one. */
  private static Chunker chunker(Flags flags) {
    if (!flags.has("chunk")) {
      return Chunker.create();
    }
    List<String> bounds = flags.list("chunk", "");
    try {
      if (bounds.size() != 3) {
        throw new NumberFormatException();
      }
      return Chunker.create(
          Integer.parseInt(bounds.get(0)),
          Integer.parseInt(bounds.get(1)),
          Integer.parseInt(bounds.get(2)));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "--chunk", "--chunk needs min,max,overlap with 1 <= min <= max, 0 <= overlap < min");
    }
  }

  /** The page file names of a page search, best first (the tuner's and tests' view). */
  static List<String> names(List<PageHit> hits) {
    return hits.stream().map(h -> h.url().substring(h.url().lastIndexOf('/') + 1)).toList();
  }

  private static IngestProgress progress(String model) {
    return (done, queued, current) -> {
      if (done > 0 && done % 100 == 0 && queued > 0) {
        log.info("{}: ingesting, {} pages read, {} to go", model, done, queued);
      }
    };
  }

  /**
   * {@link RankingLab}'s experiments; with {@code --lab-second NAME} (its ingest in {@code
   * --lab-second-data DIR}, made by {@code bench/retrieval.sh --model NAME}) over two models at
   * once.
   */
  private static void labReport(
      Flags flags,
      Map<String, List<Question>> sets,
      LuceneDocumentIndex index,
      OnnxEmbedder embedder,
      List<ExtractedPage> pages,
      Path docs,
      ScratchDirectory scratch) {
    if (!flags.has("lab-second")) {
      new RankingLab(sets, index, embedder, pages, docs, null).report();
      return;
    }
    String name = flags.text("lab-second", "");
    Path kept = flags.path("lab-second-data", "");
    if (!java.nio.file.Files.isDirectory(kept.resolve("index"))) {
      throw new BenchException(
          kept + " holds no index: run bench/retrieval.sh --model " + name + " first");
    }
    OnnxEmbedder other = OnnxEmbedder.create(name);
    other.load();
    try (LuceneDocumentIndex secondIndex =
        LuceneDocumentIndex.open(scratch.copy(kept, "second"), name)) {
      new RankingLab(sets, index, embedder, pages, docs, new RankingLab.Second(secondIndex, other))
          .report();
    }
  }

  /** Every labelled page must be in the corpus, or a label is wrong (or the corpus is). */
  private static void checkLabels(List<Question> questions, List<ExtractedPage> pages, Path docs) {
    Set<String> names = new HashSet<>();
    for (ExtractedPage page : pages) {
      String url = page.canonicalUrl();
      names.add(url.substring(url.lastIndexOf('/') + 1));
    }
    Set<String> missing = new TreeSet<>();
    for (Question q : questions) {
      q.pages().stream().filter(p -> !names.contains(p)).forEach(missing::add);
    }
    if (!missing.isEmpty()) {
      throw new BenchException("labelled pages not found in " + docs + ": " + missing);
    }
  }
}
