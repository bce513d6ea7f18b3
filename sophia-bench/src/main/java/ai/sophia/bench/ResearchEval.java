package ai.sophia.bench;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.SophiaException;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.ingest.Ingestor;
import ai.sophia.research.ResearchProgress;
import ai.sophia.research.ResearchRequest;
import ai.sophia.research.ResearchResult;
import ai.sophia.research.Researcher;
import ai.sophia.server.Sophia;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The research quality harness ({@code bench/research_quality.sh}): real research, in process and
 * offline ({@code models.mode: offline}, {@code search_engine: local}, {@code sources_limit} 3),
 * over labelled question files, against a copy of an existing data directory ({@code --data}; the
 * original is never written: Lucene takes a write lock and research stores its results) or a fresh
 * one the harness ingests {@code --docs} into. Each question is asked once (cold), after one
 * unlabelled warm-up request that loads the embedding model. Prints a summary per set and half and
 * writes every question's outcome to {@code <out>/research-quality-<time>.json}.
 *
 * <p>Flags: {@code --data DIR} or {@code --docs DIR}, {@code --questions a.tsv,b.tsv} (question TAB
 * page [TAB page]; page {@code -}: no page answers), {@code --sources N} (3), {@code --out DIR},
 * {@code --model M} (the embedding model the data was ingested with; default the configured one),
 * {@code --ranking blend|learned} ({@code index.ranking}, default blend).
 */
public final class ResearchEval {
  private static final Logger log = LoggerFactory.getLogger(ResearchEval.class);
  private static final Set<String> FLAGS =
      Set.of("data", "docs", "questions", "sources", "out", "model", "ranking");
  private static final String WARMUP = "what is a database cluster";

  private ResearchEval() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (SophiaException e) {
      System.err.println("research quality: " + e.getMessage());
      System.exit(2);
    }
    System.exit(0);
  }

  static void run(String[] args) {
    Flags flags = Flags.parse(args, FLAGS);
    if (flags.has("data") == flags.has("docs")) {
      throw new BenchException("give exactly one of --data DIR (copied) or --docs DIR (ingested)");
    }
    Map<String, List<Question>> sets = new LinkedHashMap<>();
    for (String file : flags.list("questions", "bench/retrieval/questions.tsv")) {
      String name = Path.of(file).getFileName().toString().replaceFirst("\\.tsv$", "");
      sets.put(name, Question.load(Path.of(file)));
    }
    int sources = flags.integer("sources", 3, 1, 20);
    Path out = flags.path("out", "bench/results");
    try (ScratchDirectory scratch = ScratchDirectory.create("sophia-research-quality-")) {
      String corpus;
      Path dataDir = scratch.resolve("data");
      if (flags.has("data")) {
        Path data = flags.path("data", "");
        if (!Files.isDirectory(data)) {
          throw new BenchException("--data " + data + " is not a directory");
        }
        dataDir = scratch.copy(data, "data");
        corpus = data.toString();
      } else {
        corpus = flags.text("docs", "");
      }
      Map<String, String> env = new LinkedHashMap<>();
      env.put(ConfigLoader.envName("data_dir"), dataDir.toString());
      env.put(ConfigLoader.envName("ingest.max_pages"), "100000");
      env.put(ConfigLoader.envName("models.mode"), "offline");
      env.put(ConfigLoader.envName("research.default_engine"), "local");
      env.put(ConfigLoader.envName("index.ranking"), flags.text("ranking", "blend"));
      if (flags.has("model")) {
        env.put(ConfigLoader.envName("embedding.model"), flags.text("model", ""));
      }
      SophiaConfig config = ConfigLoader.create(env).load(Optional.empty());
      ResearchQualityReport report = measure(config, flags, corpus, sets, sources);
      System.out.print(report.markdown());
      System.out.println();
      System.out.print(ScoreFit.report(report.questions()));
      System.out.println();
      System.out.println(
          "Per-question outcomes: " + JsonResults.write(out, "research-quality", report));
    }
  }

  private static ResearchQualityReport measure(
      SophiaConfig config,
      Flags flags,
      String corpus,
      Map<String, List<Question>> sets,
      int sources) {
    try (Sophia sophia = Sophia.open(config, Map.of())) {
      if (flags.has("docs")) {
        Ingestor.Result ingested =
            sophia.ingestor().ingest(flags.text("docs", ""), false, IngestProgress.none());
        log.info("ingested {} pages, {} passages", ingested.stored(), ingested.passages());
      }
      Researcher researcher = sophia.researcher();
      research(researcher, WARMUP, sources);
      List<ResearchQualityReport.Outcome> outcomes = new ArrayList<>();
      sets.forEach(
          (set, questions) -> {
            for (int i = 0; i < questions.size(); i++) {
              outcomes.add(ask(researcher, set, i, questions.get(i), sources));
            }
            log.info("{}: {} questions done", set, questions.size());
          });
      return new ResearchQualityReport(corpus, sources, WARMUP, outcomes);
    }
  }

  private static ResearchQualityReport.Outcome ask(
      Researcher researcher, String set, int dataLine, Question q, int sources) {
    long start = System.nanoTime();
    ResearchResult result = research(researcher, q.text(), sources);
    double millis = (System.nanoTime() - start) / 1e6;
    List<String> pages = result.sources().stream().map(s -> fileName(s.url())).toList();
    boolean cited =
        result.answer() != null
            && result.citations().stream().anyMatch(c -> q.answeredBy(fileName(c.url())));
    return new ResearchQualityReport.Outcome(
        q.text(),
        set,
        ResearchQualityReport.half(dataLine),
        q.pages(),
        pages,
        pages.stream().anyMatch(q::answeredBy),
        cited,
        result.answer() == null,
        result.researchQualityScore(),
        result.metadata().quality(),
        millis,
        result.metadata().timingsMs(),
        result.answer(),
        result.metadata().note());
  }

  private static ResearchResult research(Researcher researcher, String query, int sources) {
    return researcher.research(
        new ResearchRequest(query, sources, "local"), ResearchProgress.none());
  }

  /** The page's file name: the labels name pages by it. */
  static String fileName(String url) {
    String path = url.replaceFirst("[#?].*$", "");
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Copies the data directory whole (SQLite, its journal, the Lucene index, the models). */
}
