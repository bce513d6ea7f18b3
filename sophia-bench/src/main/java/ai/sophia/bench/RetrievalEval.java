package ai.sophia.bench;

import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.error.SophiaException;
import ai.sophia.memory.LuceneDocumentIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retrieval quality benchmark ({@code bench/retrieval.sh}): indexes a directory of HTML pages
 * once per embedding model into a temporary Lucene index and prints, as a Markdown table, how often
 * each ranking puts the labelled page in its top 1, 3 and 5 (and the MRR). Per-question ranks go to
 * a JSON file.
 *
 * <p>Flags: {@code --docs DIR} (the pages), {@code --questions FILE} (question TAB page [TAB
 * page]), {@code --models a,b} (embedding models), {@code --out DIR} (JSON results), {@code
 * --chunk-words N} and {@code --overlap-words N} (passage size).
 */
public final class RetrievalEval {
  private static final Logger log = LoggerFactory.getLogger(RetrievalEval.class);
  private static final Set<String> FLAGS =
      Set.of("docs", "questions", "models", "out", "chunk-words", "overlap-words");

  private RetrievalEval() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (SophiaException e) {
      System.err.println("retrieval: " + e.getMessage());
      System.exit(2);
    }
    // The embedders' thread pools are daemons, but say plainly that the run is over.
    System.exit(0);
  }

  static void run(String[] args) {
    Flags flags = Flags.parse(args, FLAGS);
    Path docs = flags.path("docs", "/usr/share/doc/postgresql-doc-15/html");
    List<Question> questions =
        Question.load(flags.path("questions", "bench/retrieval/questions.tsv"));
    List<String> models = flags.list("models", "bge-small-en-v1.5,all-minilm-l6-v2");
    Path out = flags.path("out", "bench/results");
    int words = flags.integer("chunk-words", 200, 20, 2000);
    int overlap = flags.integer("overlap-words", 40, 0, words - 1);

    List<HtmlPages.Page> pages = HtmlPages.read(docs);
    checkLabels(questions, pages, docs);
    log.info(
        "{} pages in {}, {} questions, models {}", pages.size(), docs, questions.size(), models);
    RetrievalScorer scorer =
        new RetrievalScorer(pages, questions, page -> Passages.split(page.text(), words, overlap));

    List<ModelRun> runs = new ArrayList<>();
    Path scratch = scratchDirectory();
    try {
      int dimension = OnnxEmbedder.create(models.get(0)).dimension();
      try (LuceneDocumentIndex index = LuceneDocumentIndex.open(scratch.resolve("pages"), "none")) {
        runs.add(scorer.bm25Pages(index, dimension));
      }
      for (String model : models) {
        OnnxEmbedder embedder = OnnxEmbedder.create(model);
        embedder.load();
        try (LuceneDocumentIndex index = LuceneDocumentIndex.open(scratch.resolve(model), model)) {
          List<ModelRun> chunked = scorer.chunked(index, embedder);
          // BM25 over chunks does not depend on the model: report it once.
          runs.addAll(runs.size() == 1 ? chunked : chunked.subList(1, chunked.size()));
        }
      }
    } finally {
      deleteRecursively(scratch);
    }

    ModelRun baseline = runs.get(0);
    System.out.printf(
        "%nRetrieval over %s: %d pages, %d questions, passages of %d words (overlap %d)%n%n",
        docs, pages.size(), questions.size(), words, overlap);
    System.out.print(RetrievalReport.markdown(runs));
    System.out.println();
    System.out.print(
        RetrievalReport.versus(
            baseline, runs.stream().filter(r -> r.ranking().equals("hybrid")).toList()));
    Path json = RetrievalReport.writeJson(out, docs.toString(), pages.size(), questions, runs);
    System.out.println();
    System.out.println("Per-question ranks: " + json);
  }

  /** Every labelled page must exist in the corpus, or a label is wrong (or the corpus is). */
  private static void checkLabels(List<Question> questions, List<HtmlPages.Page> pages, Path docs) {
    Set<String> names = new HashSet<>();
    pages.forEach(p -> names.add(p.name()));
    Set<String> missing = new TreeSet<>();
    for (Question q : questions) {
      q.pages().stream().filter(p -> !names.contains(p)).forEach(missing::add);
    }
    if (!missing.isEmpty()) {
      throw new BenchException("labelled pages not found in " + docs + ": " + missing);
    }
  }

  private static Path scratchDirectory() {
    try {
      return Files.createTempDirectory("sophia-retrieval-");
    } catch (IOException e) {
      throw new BenchException("cannot create a temporary directory: " + e.getMessage(), e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("could not delete the scratch directory {}: {}", dir, e.getMessage());
    }
  }
}
