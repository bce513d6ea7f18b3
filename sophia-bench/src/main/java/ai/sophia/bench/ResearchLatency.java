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
 * The research latency benchmark ({@code bench/research_latency.sh}): builds Sophia exactly as
 * {@code sophia serve} does on a scratch data directory, ingests a directory through its ingestor,
 * then runs research questions one after another with {@code search_engine: local} through the real
 * {@link Researcher}. Reports the time from request to answer (median, p95) and the share of it
 * spent in each stage, from each result's {@code metadata.timings_ms}.
 *
 * <p>Flags: {@code --docs DIR}, {@code --questions FILE}, {@code --queries N} (default: all),
 * {@code --warmup N} (default 5, not measured), {@code --sources N} (default 3), {@code --model M}
 * (embedding model, default the configured one), {@code --data DIR} (use and keep this data
 * directory instead of a scratch one; pages already ingested there are not embedded again), {@code
 * --out DIR}.
 */
public final class ResearchLatency {
  private static final Logger log = LoggerFactory.getLogger(ResearchLatency.class);
  private static final Set<String> FLAGS =
      Set.of("docs", "questions", "queries", "warmup", "sources", "model", "data", "out");

  private ResearchLatency() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (SophiaException e) {
      System.err.println("research latency: " + e.getMessage());
      System.exit(2);
    }
    System.exit(0);
  }

  static void run(String[] args) {
    Flags flags = Flags.parse(args, FLAGS);
    Path docs = flags.path("docs", "/usr/share/doc/postgresql-doc-15/html");
    List<Question> questions =
        Question.load(flags.path("questions", "bench/retrieval/questions.tsv"));
    int queries = flags.integer("queries", questions.size(), 1, 100_000);
    int warmup = flags.integer("warmup", 5, 0, 1000);
    int sources = flags.integer("sources", 3, 1, 20);
    Path out = flags.path("out", "bench/results");

    Optional<Path> kept =
        flags.has("data") ? Optional.of(flags.path("data", "")) : Optional.empty();
    try (ScratchDirectory scratch = ScratchDirectory.create("sophia-research-latency-")) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put(ConfigLoader.envName("data_dir"), kept.orElse(scratch.path()).toString());
      env.put(ConfigLoader.envName("ingest.max_pages"), "100000");
      if (flags.has("model")) {
        env.put(ConfigLoader.envName("embedding.model"), flags.text("model", ""));
      }
      SophiaConfig config = ConfigLoader.create(env).load(Optional.empty());
      measure(config, docs, questions, queries, warmup, sources, out);
    }
  }

  private static void measure(
      SophiaConfig config,
      Path docs,
      List<Question> questions,
      int queries,
      int warmup,
      int sources,
      Path out) {
    // No provider secrets: every request names the local engine, nothing leaves the machine.
    try (Sophia sophia = Sophia.open(config, Map.of())) {
      Ingestor.Result ingested =
          sophia.ingestor().ingest(docs.toString(), false, IngestProgress.none());
      log.info(
          "ingested {} pages ({} unchanged), {} passages in {} s",
          ingested.stored(),
          ingested.unchanged(),
          ingested.passages(),
          ingested.millis() / 1000);
      Researcher researcher = sophia.researcher();
      for (int i = 0; i < warmup; i++) {
        ask(researcher, questions.get(i % questions.size()).text(), sources);
      }
      List<Sample> samples = new ArrayList<>();
      for (int i = 0; i < queries; i++) {
        samples.add(ask(researcher, questions.get(i % questions.size()).text(), sources));
        if ((i + 1) % 20 == 0) {
          log.info("{}/{} research requests done", i + 1, queries);
        }
      }
      LatencyReport report =
          LatencyReport.of(
              docs.toString(), ingested, config.embedding().model(), sources, warmup, samples);
      System.out.print(report.markdown());
      System.out.println();
      System.out.println(
          "Per-request timings: " + JsonResults.write(out, "research-latency", report));
    }
  }

  /** One research request, timed from the caller's side, with the stage timings it reported. */
  record Sample(
      String query, double millis, Map<String, Long> stages, int sources, boolean answered) {}

  private static Sample ask(Researcher researcher, String query, int sources) {
    long start = System.nanoTime();
    ResearchResult result =
        researcher.research(new ResearchRequest(query, sources, "local"), ResearchProgress.none());
    double millis = (System.nanoTime() - start) / 1e6;
    return new Sample(
        query,
        millis,
        result.metadata().timingsMs(),
        result.sources().size(),
        result.answer() != null);
  }
}
