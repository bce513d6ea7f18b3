package ai.sophia.bench;

import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.Database;
import ai.sophia.memory.SqliteDatabase;
import ai.sophia.memory.TestPostgres;
import ai.sophia.swarm.InMemorySwarmStore;
import ai.sophia.swarm.SqlSwarmStore;
import ai.sophia.swarm.StepPolicy;
import ai.sophia.swarm.SwarmEngine;
import ai.sophia.swarm.SwarmGraph;
import ai.sophia.swarm.SwarmRun;
import ai.sophia.swarm.SwarmStatus;
import ai.sophia.swarm.SwarmStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --runs} swarms (default 1,000) started at once, each a fan-out of 3 no-op "agents" and an
 * aggregation step, on SQLite, on PostgreSQL when {@code --backend both} (a server of its own,
 * {@code TestPostgres}, started in a temporary folder), and on the in-memory store (the
 * no-persistence baseline); prints total time, runs/s and p50/p99 run latency (start to finish) of
 * each, then the bytes a run's record takes in SQLite (this graph, and a 10-step pipeline) before
 * and after retention.
 */
public final class SwarmLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SophiaConfig.Swarm SETTINGS =
      new SophiaConfig.Swarm(60_000, 1, 600_000, 30, 0.8);

  private SwarmLoad() {}

  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Set.of("runs", "rounds", "backend"));
    int runs = flags.integer("runs", 1000, 1, 100_000);
    int rounds = flags.integer("rounds", 3, 1, 20);
    String backend = flags.text("backend", "sqlite");
    if (!Set.of("sqlite", "both").contains(backend)) {
      throw new BenchException("--backend is sqlite or both (SQLite and PostgreSQL)");
    }
    System.out.printf(
        "machine: %d cores; %d concurrent runs of fan-out(3) + aggregate%n",
        Runtime.getRuntime().availableProcessors(), runs);
    try (ScratchDirectory scratch = ScratchDirectory.create("swarm-load");
        SqliteDatabase db = SqliteDatabase.open(scratch.path());
        Database pg =
            backend.equals("both")
                ? TestPostgres.open("bench_swarm_" + ProcessHandle.current().pid())
                : null) {
      SwarmStore sqlite = new SqlSwarmStore(db);
      SwarmStore postgres = pg == null ? null : new SqlSwarmStore(pg);
      // A warm-up round on each store, then the measured rounds alternating.
      round("warm-up sqlite", sqlite, Math.min(runs, 200));
      if (postgres != null) {
        round("warm-up postgres", postgres, Math.min(runs, 200));
      }
      round("warm-up memory", new InMemorySwarmStore(), Math.min(runs, 200));
      for (int r = 1; r <= rounds; r++) {
        round("sqlite #" + r, sqlite, runs);
        if (postgres != null) {
          round("postgres #" + r, postgres, runs);
        }
        round("memory #" + r, new InMemorySwarmStore(), runs);
      }
      sizes(db, sqlite, runs);
    }
  }

  static SwarmGraph fanOut() {
    StepPolicy policy = new StepPolicy(Duration.ofMinutes(1), 1, Duration.ZERO, false, false);
    return SwarmGraph.builder("fanout3")
        .fanOut(
            "agents",
            s -> List.copyOf(s.withArray("agents").valueStream().toList()),
            c -> JSON.createObjectNode().put("result", "ok"),
            policy)
        .step("aggregate", c -> JSON.createObjectNode().put("aggregated", 3), policy)
        .edge("agents", "aggregate")
        .build();
  }

  static ObjectNode input() {
    ObjectNode input = JSON.createObjectNode().put("task", "nothing");
    input.putArray("agents").add("researcher").add("analyst").add("writer");
    return input;
  }

  private static void round(String label, SwarmStore store, int runs) throws Exception {
    try (SwarmEngine engine = SwarmEngine.create(store, SETTINGS, Clock.systemUTC())) {
      engine.register(fanOut());
      ObjectNode input = input();
      double[] latencyMs = new double[runs];
      AtomicInteger failed = new AtomicInteger();
      List<Thread> waiters = new ArrayList<>(runs);
      long t0 = System.nanoTime();
      // Each run started by its own virtual thread, as by as many requests arriving at once.
      for (int i = 0; i < runs; i++) {
        int index = i;
        waiters.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      long started = System.nanoTime();
                      SwarmRun run = engine.start("fanout3", input, "");
                      SwarmRun done = engine.await(run.id(), Duration.ofMinutes(5));
                      latencyMs[index] = (System.nanoTime() - started) / 1e6;
                      if (done.status() != SwarmStatus.succeeded) {
                        failed.incrementAndGet();
                      }
                    }));
      }
      long startedAll = System.nanoTime();
      for (Thread t : waiters) {
        t.join();
      }
      double totalS = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "%-16s runs %d, failed %d, threads started in %.2f s, total %.2f s, %.0f runs/s,"
              + " latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          label,
          runs,
          failed.get(),
          (startedAll - t0) / 1e9,
          totalS,
          runs / totalS,
          Percentile.of(latencyMs, 0.50),
          Percentile.of(latencyMs, 0.99),
          Percentile.of(latencyMs, 1.0));
    }
  }

  private static void sizes(SqliteDatabase db, SwarmStore store, int runs) throws Exception {
    try (SwarmEngine engine = SwarmEngine.create(store, SETTINGS, Clock.systemUTC())) {
      engine.register(fanOut());
      engine.register(SwarmStepBench.pipeline(10));
      SwarmRun fan = engine.await(engine.start("fanout3", input(), "").id(), Duration.ofMinutes(1));
      SwarmRun seq = engine.await(engine.start("noop10", input(), "").id(), Duration.ofMinutes(1));
      long fileBytes = fileBytes(db);
      System.out.printf(
          "record of a fan-out(3) + aggregate run: %d steps, %d events, ~%d bytes%n",
          fan.steps().size(), events(store, fan.id()), store.recordBytes(fan.id()));
      System.out.printf(
          "record of a 10-step pipeline run: %d steps, %d events, ~%d bytes%n",
          seq.steps().size(), events(store, seq.id()), store.recordBytes(seq.id()));
      int total = engine.list(java.util.Optional.empty(), 1000).size();
      System.out.printf(
          "database file after all rounds (checkpointed): %d bytes for %s runs (%.0f bytes/run)%n",
          fileBytes, countRuns(db), (double) fileBytes / countRuns(db));
      int purged = store.purgeFinishedBefore(java.time.Instant.now().plusSeconds(1));
      db.useHandle(h -> h.execute("VACUUM"));
      long after = fileBytes(db);
      System.out.printf(
          "after retention (%d runs compacted) and VACUUM: %d bytes (%.0f bytes/run); a compacted"
              + " fan-out run ~%d bytes%n",
          purged, after, (double) after / countRuns(db), store.recordBytes(fan.id()));
      if (total == 0) {
        throw new BenchException("no runs listed");
      }
    }
  }

  private static long countRuns(SqliteDatabase db) {
    return db.withHandle(
        h -> h.createQuery("SELECT COUNT(*) FROM swarm_runs").mapTo(Long.class).one());
  }

  private static int events(SwarmStore store, String runId) {
    return store.events(runId, 0, 100_000).size();
  }

  private static long fileBytes(SqliteDatabase db) throws java.io.IOException {
    db.useHandle(h -> h.execute("PRAGMA wal_checkpoint(TRUNCATE)"));
    return Files.size(db.file());
  }
}
