package ai.sophia.swarm;

import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real database (SQLite in a folder, or PostgreSQL) and engines over it, for the engine's tests.
 */
final class SwarmFixture implements AutoCloseable {
  static final SophiaConfig.Swarm SETTINGS = new SophiaConfig.Swarm(5_000, 2, 60_000, 30, 0.8);
  static final StepPolicy QUICK =
      new StepPolicy(Duration.ofSeconds(5), 1, Duration.ofMillis(10), false, false);

  final Path dir;
  final Backend backend;
  Database db;
  SwarmEngine engine;

  SwarmFixture(Path dir) {
    this(dir, Backend.sqlite);
  }

  SwarmFixture(Path dir, Backend backend) {
    this(dir, backend, SETTINGS, Clock.systemUTC());
  }

  SwarmFixture(Path dir, SophiaConfig.Swarm settings, Clock clock) {
    this(dir, Backend.sqlite, settings, clock);
  }

  SwarmFixture(Path dir, Backend backend, SophiaConfig.Swarm settings, Clock clock) {
    this.dir = dir;
    this.backend = backend;
    this.db = backend.open(dir);
    this.engine = SwarmEngine.create(new SqlSwarmStore(db), settings, clock);
  }

  /** Closes the engine and the database and opens both again: a restart. */
  SwarmEngine restart(SwarmGraph... graphs) {
    engine.close();
    db.close();
    db = backend.open(dir);
    engine = SwarmEngine.create(new SqlSwarmStore(db), SETTINGS, Clock.systemUTC());
    for (SwarmGraph g : graphs) {
      engine.register(g);
    }
    return engine;
  }

  /** A run of {@code graph} as a node that died mid-run left it: running, due in a minute. */
  static SwarmRun running(String id, String graph, java.time.Instant now) {
    return new SwarmRun(
        id,
        graph,
        SwarmStatus.running,
        "",
        obj(),
        obj(),
        List.of(),
        "",
        now,
        java.util.Optional.empty(),
        now.plusSeconds(60));
  }

  static ObjectNode obj() {
    return Json.object();
  }

  static JsonNode parse(String json) {
    return Json.parse(json);
  }

  /** Every event of a run, read through a subscription from seq 0 until run_finished. */
  static List<SwarmEvent> events(SwarmEngine engine, String runId) throws Exception {
    List<SwarmEvent> seen = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch last = new java.util.concurrent.CountDownLatch(1);
    try (AutoCloseable s =
        engine.subscribe(
            runId,
            0,
            e -> {
              seen.add(e);
              if (e.last()) {
                last.countDown();
              }
            })) {
      if (!last.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new AssertionError("no run_finished in 10 s; saw " + seen);
      }
    }
    return List.copyOf(seen);
  }

  /** Waits up to 10 s for the run to reach {@code status}; returns it as it then is. */
  static SwarmRun awaitStatus(SwarmEngine engine, String runId, SwarmStatus status)
      throws InterruptedException {
    long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    SwarmRun run = engine.find(runId).orElseThrow();
    while (run.status() != status && System.nanoTime() < end) {
      Thread.sleep(10);
      run = engine.find(runId).orElseThrow();
    }
    return run;
  }

  @Override
  public void close() {
    engine.close();
    db.close();
  }
}
