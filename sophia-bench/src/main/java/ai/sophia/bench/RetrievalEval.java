package ai.sophia.bench;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.error.SophiaException;
import ai.sophia.ingest.Chunker;
import ai.sophia.ingest.DirectoryReader;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.ingest.Ingestor;
import ai.sophia.memory.DocumentIndex;
import ai.sophia.memory.LuceneDocumentIndex;
import ai.sophia.memory.SqliteDatabase;
import ai.sophia.memory.SqliteDocumentStore;
import ai.sophia.research.LocalSearchProvider;
import ai.sophia.search.SearchHit;
import ai.sophia.web.ExtractedPage;
import ai.sophia.web.PageExtractor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retrieval quality benchmark ({@code bench/retrieval.sh}). For each embedding model it ingests
 * a directory exactly as {@code sophia ingest} does (PageExtractor, Chunker, OnnxEmbedder, Lucene)
 * into a scratch data directory, then asks every labelled question through the {@code local} search
 * engine; the baseline is plain BM25 over the same extracted pages, one entry per page. Prints a
 * Markdown table of recall@1/@3/@5 and MRR of the right page, and writes every question's rank to a
 * JSON file.
 *
 * <p>Flags: {@code --docs DIR}, {@code --questions FILE} (question TAB page [TAB page]), {@code
 * --models a,b}, {@code --out DIR}.
 */
public final class RetrievalEval {
  private static final Logger log = LoggerFactory.getLogger(RetrievalEval.class);
  private static final Set<String> FLAGS = Set.of("docs", "questions", "models", "out");
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
    List<Question> questions =
        Question.load(flags.path("questions", "bench/retrieval/questions.tsv"));
    List<String> models = flags.list("models", "bge-small-en-v1.5,all-minilm-l6-v2");
    Path out = flags.path("out", "bench/results");

    List<ExtractedPage> pages = new ArrayList<>();
    DirectoryReader.create(PageExtractor.create(), MAX_FILE_BYTES)
        .read(docs, pages::add, IngestProgress.none());
    checkLabels(questions, pages, docs);
    log.info(
        "{} pages in {}, {} questions, models {}", pages.size(), docs, questions.size(), models);
    RetrievalScorer scorer = new RetrievalScorer(questions);

    List<ModelRun> runs = new ArrayList<>();
    try (ScratchDirectory scratch = ScratchDirectory.create("sophia-retrieval-")) {
      int dimension = OnnxEmbedder.create(models.get(0)).dimension();
      try (LuceneDocumentIndex index = LuceneDocumentIndex.open(scratch.resolve("pages"), "none")) {
        runs.add(scorer.bm25Pages(index, pages, dimension));
      }
      for (String model : models) {
        List<ModelRun> modelRuns = ingestAndScore(scorer, docs, model, scratch.resolve(model));
        // BM25 over chunks does not depend on the model: report it once.
        runs.addAll(runs.size() == 1 ? modelRuns : modelRuns.subList(1, modelRuns.size()));
      }
    }

    System.out.printf(
        "%nRetrieval over %s: %d pages, %d questions%n%n", docs, pages.size(), questions.size());
    System.out.print(RetrievalReport.markdown(runs));
    System.out.println();
    System.out.print(
        RetrievalReport.versus(
            runs.get(0), runs.stream().filter(r -> r.ranking().equals("hybrid")).toList()));
    Path json = RetrievalReport.writeJson(out, docs.toString(), pages.size(), questions, runs);
    System.out.println();
    System.out.println("Per-question ranks: " + json);
  }

  /**
   * Ingests {@code docs} with {@code model} into {@code dataDir} the way {@code sophia ingest}
   * does, then scores BM25 over the chunks and the {@code local} engine.
   */
  private static List<ModelRun> ingestAndScore(
      RetrievalScorer scorer, Path docs, String model, Path dataDir) {
    SophiaConfig config =
        ConfigLoader.create(
                Map.of(
                    ConfigLoader.envName("data_dir"),
                    dataDir.toString(),
                    ConfigLoader.envName("embedding.model"),
                    model))
            .load(Optional.empty());
    OnnxEmbedder embedder = OnnxEmbedder.create(model);
    embedder.load();
    try (SqliteDatabase database = SqliteDatabase.open(config.dataDir());
        LuceneDocumentIndex index = LuceneDocumentIndex.open(config.dataDir(), model)) {
      Ingestor ingestor =
          Ingestor.create(
              config,
              PageExtractor.create(),
              Chunker.create(),
              embedder,
              index,
              new SqliteDocumentStore(database),
              Clock.systemUTC());
      Ingestor.Result ingested = ingestor.ingest(docs.toString(), false, progress(model));
      log.info(
          "{}: ingested {} pages, {} passages in {} s",
          model,
          ingested.stored(),
          ingested.passages(),
          ingested.millis() / 1000);
      ModelRun text =
          scorer.score(
              "bm25-chunks",
              "",
              ingested.passages(),
              ingested.millis(),
              q ->
                  Scores.pageOrder(
                      index.searchText(DocumentIndex.DOCUMENTS, q, RetrievalScorer.PAGES * 10)));
      // Diagnostic: with no query text the hybrid search ranks by embedding similarity alone.
      ModelRun vector =
          scorer.score(
              "vector",
              model,
              ingested.passages(),
              ingested.millis(),
              q ->
                  Scores.pageOrder(
                      index.search(
                          DocumentIndex.DOCUMENTS,
                          "",
                          embedder.embedQuery(q),
                          RetrievalScorer.PAGES * 10)));
      LocalSearchProvider local = new LocalSearchProvider(index, embedder);
      ModelRun hybrid =
          scorer.score(
              "hybrid",
              model,
              ingested.passages(),
              ingested.millis(),
              q -> local.search(q, RetrievalScorer.PAGES).stream().map(SearchHit::url).toList());
      return List.of(text, vector, hybrid);
    }
  }

  private static IngestProgress progress(String model) {
    return (done, queued, current) -> {
      if (done > 0 && done % 100 == 0 && queued > 0) {
        log.info("{}: ingesting, {} pages read, {} to go", model, done, queued);
      }
    };
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
