package ai.sophia.bench;

import ai.sophia.agent.AgentRequest;
import ai.sophia.agent.AgentRun;
import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.SophiaException;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.ingest.Ingestor;
import ai.sophia.server.Sophia;
import ai.sophia.swarm.SwarmCoordinator;
import ai.sophia.swarm.SwarmRequest;
import ai.sophia.swarm.SwarmRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real research swarm over the locally ingested document set, in process, offline (no model
 * reaches this machine: rule-based planning, the research agent on the {@code local} engine, the
 * analysis agent on memory): ingests {@code --docs}, runs the swarm {@code --runs} times and prints
 * the last run's timeline and, for every run, the swarm's wall time, the time inside agents and the
 * coordination overhead (the rest). Same-run baseline: the plan's sub-tasks as plain agent runs
 * started in parallel and joined, without the coordinator or the durable engine.
 *
 * <p>Flags: {@code --docs DIR}, {@code --data DIR} (keep and reuse this data directory), {@code
 * --runs N} (10), {@code --task TEXT}.
 */
public final class SwarmResearch {
  private static final Logger log = LoggerFactory.getLogger(SwarmResearch.class);
  private static final Set<String> FLAGS = Set.of("docs", "data", "runs", "task");
  static final String TASK =
      "What does VACUUM do in PostgreSQL? Compare VACUUM with VACUUM FULL. Summarize how"
          + " autovacuum decides when to run.";

  private SwarmResearch() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (SophiaException e) {
      System.err.println("swarm research: " + e.getMessage());
      System.exit(2);
    }
    System.exit(0);
  }

  static void run(String[] args) {
    Flags flags = Flags.parse(args, FLAGS);
    Path docs = flags.path("docs", "/usr/share/doc/postgresql-doc-15/html");
    int runs = flags.integer("runs", 10, 1, 1000);
    String task = flags.has("task") ? flags.text("task", TASK) : TASK;
    Optional<Path> kept =
        flags.has("data") ? Optional.of(flags.path("data", "")) : Optional.empty();
    try (ScratchDirectory scratch = ScratchDirectory.create("sophia-swarm-research-")) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put(ConfigLoader.envName("data_dir"), kept.orElse(scratch.path()).toString());
      env.put(ConfigLoader.envName("ingest.max_pages"), "100000");
      env.put(ConfigLoader.envName("models.mode"), "offline");
      env.put(ConfigLoader.envName("research.default_engine"), "local");
      SophiaConfig config = ConfigLoader.create(env).load(Optional.empty());
      measure(config, docs, runs, task);
    }
  }

  private static void measure(SophiaConfig config, Path docs, int runs, String task) {
    try (Sophia sophia = Sophia.open(config, Map.of())) {
      Ingestor.Result ingested =
          sophia.ingestor().ingest(docs.toString(), false, IngestProgress.none());
      log.info(
          "ingested {} pages ({} unchanged), {} passages",
          ingested.stored(),
          ingested.unchanged(),
          ingested.passages());
      SwarmCoordinator swarms = sophia.swarms();
      List<long[]> figures = new ArrayList<>();
      List<Long> direct = new ArrayList<>();
      ObjectNode last = null;
      for (int i = 0; i <= runs; i++) {
        SwarmRun started = swarms.trigger(SwarmRequest.of(task), "");
        last = swarms.awaitReport(started.id(), Duration.ofMinutes(10));
        long baseline = directRuns(sophia, last.path("plan").path("subtasks"));
        if (i == 0) {
          continue; // warm-up: the first run loads the embedding model and fills caches
        }
        JsonNode p = last.path("swarm_performance");
        figures.add(
            new long[] {
              p.path("duration_ms").asLong(),
              p.path("agent_time_ms").asLong(),
              p.path("coordination_overhead_ms").asLong(),
              p.path("queued_ms").asLong()
            });
        direct.add(baseline);
      }
      System.out.print(markdown(last, figures, direct, ingested));
    }
  }

  /** The plan's sub-tasks as plain agent runs, all started at once, then joined: wall ms. */
  private static long directRuns(Sophia sophia, JsonNode subtasks) {
    long start = System.nanoTime();
    List<AgentRun> running = new ArrayList<>();
    for (JsonNode t : subtasks) {
      running.add(
          sophia
              .agents()
              .agents()
              .get(t.path("agent").asText())
              .start(AgentRequest.of(t.path("task").asText())));
    }
    running.forEach(AgentRun::join);
    return (System.nanoTime() - start) / 1_000_000;
  }

  static String markdown(
      ObjectNode last, List<long[]> figures, List<Long> direct, Ingestor.Result ingested) {
    StringBuilder b = new StringBuilder();
    b.append("Research swarm over ")
        .append(ingested.stored() + ingested.unchanged())
        .append(" ingested pages, mode ")
        .append(last.path("mode").asText())
        .append(", outcome ")
        .append(last.path("swarm_health").path("outcome").asText())
        .append("\n\nPlan:\n");
    for (JsonNode t : last.path("plan").path("subtasks")) {
      b.append("- ")
          .append(t.path("id").asText())
          .append(" ")
          .append(t.path("agent").asText())
          .append(": ")
          .append(t.path("task").asText())
          .append('\n');
    }
    b.append("\nTimeline of the last run:\n\n| step | status | start (ms) | duration (ms) |\n");
    b.append("| --- | --- | ---: | ---: |\n");
    long t0 = -1;
    for (JsonNode s : last.path("execution_timeline")) {
      long at = java.time.Instant.parse(s.path("started_at").asText()).toEpochMilli();
      t0 = t0 < 0 ? at : t0;
      b.append("| ")
          .append(s.path("step").asText())
          .append(" | ")
          .append(s.path("status").asText())
          .append(" | ")
          .append(at - t0)
          .append(" | ")
          .append(s.path("duration_ms").asLong())
          .append(" |\n");
    }
    JsonNode q = last.path("results").path("quality_report");
    b.append("\nQuality: quality ")
        .append(q.path("quality_score").asDouble())
        .append(", completeness ")
        .append(q.path("completeness_score").asDouble())
        .append(", overall ")
        .append(q.path("overall_score").asDouble())
        .append(", meets_threshold ")
        .append(q.path("meets_threshold").asBoolean())
        .append("\n\n| run | swarm wall (ms) | inside agents (ms) | coordination overhead (ms) |")
        .append(
            " queued before first step (ms) | same sub-tasks as plain parallel agent runs (ms) |\n")
        .append("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < figures.size(); i++) {
      long[] f = figures.get(i);
      b.append("| ")
          .append(i + 1)
          .append(" | ")
          .append(f[0])
          .append(" | ")
          .append(f[1])
          .append(" | ")
          .append(f[2])
          .append(" | ")
          .append(f[3])
          .append(" | ")
          .append(direct.get(i))
          .append(" |\n");
    }
    double[] overhead = figures.stream().mapToDouble(f -> f[2]).toArray();
    double[] wall = figures.stream().mapToDouble(f -> f[0]).toArray();
    double[] plain = direct.stream().mapToDouble(Long::doubleValue).toArray();
    b.append(
        String.format(
            "%nMedian coordination overhead %.0f ms (p95 %.0f ms); median swarm wall %.0f ms vs"
                + " %.0f ms for the plain parallel agent runs (ratio %.2f).%n",
            Percentile.of(overhead, 0.5),
            Percentile.of(overhead, 0.95),
            Percentile.of(wall, 0.5),
            Percentile.of(plain, 0.5),
            Percentile.of(wall, 0.5) / Math.max(1, Percentile.of(plain, 0.5))));
    return b.toString();
  }
}
