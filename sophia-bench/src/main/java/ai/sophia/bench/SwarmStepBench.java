package ai.sophia.bench;

import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.SqliteDatabase;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The engine's overhead per step: one run of a pipeline of {@code steps} steps that do nothing,
 * from {@code start} to its finish, with every checkpoint committed to SQLite (the default store,
 * WAL, one transaction when a step starts and one when it finishes) against the same graph on the
 * in-memory store (no persistence). The marginal cost of a step is {@code (t(20) - t(1)) / 19}. Run
 * with {@code bench/swarm_engine.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SwarmStepBench {
  static final SophiaConfig.Swarm SETTINGS = new SophiaConfig.Swarm(60_000, 1, 600_000, 30, 0.8);
  static final ObjectMapper JSON = new ObjectMapper();

  @Param({"sqlite", "memory"})
  public String store;

  @Param({"1", "20"})
  public int steps;

  private ScratchDirectory scratch;
  private SqliteDatabase db;
  private SwarmEngine engine;
  private SwarmStore runs;
  private ObjectNode input;

  @Setup(Level.Trial)
  public void open() {
    SwarmStore s;
    if (store.equals("sqlite")) {
      scratch = ScratchDirectory.create("swarm-bench");
      db = SqliteDatabase.open(scratch.path());
      s = new SqlSwarmStore(db);
    } else {
      s = new InMemorySwarmStore();
    }
    runs = s;
    engine = SwarmEngine.create(s, SETTINGS, Clock.systemUTC());
    engine.register(pipeline(steps));
    input = JSON.createObjectNode().put("task", "nothing");
  }

  /** {@code n} steps that return an empty output, one after the other. */
  static SwarmGraph pipeline(int n) {
    StepPolicy policy = new StepPolicy(Duration.ofMinutes(1), 1, Duration.ZERO, false, false);
    SwarmGraph.Builder b = SwarmGraph.builder("noop" + n);
    for (int i = 0; i < n; i++) {
      b.step("s" + i, c -> JSON.createObjectNode(), policy);
      if (i > 0) {
        b.edge("s" + (i - 1), "s" + i);
      }
    }
    return b.build();
  }

  /**
   * Retention between iterations, on both stores alike: the in-memory store would otherwise hold
   * every run's steps and events and end up measuring the garbage collector.
   */
  @TearDown(Level.Iteration)
  public void purge() {
    runs.purgeFinishedBefore(Instant.now().plusSeconds(1));
  }

  @TearDown(Level.Trial)
  public void close() {
    engine.close();
    if (db != null) {
      db.close();
      scratch.close();
    }
  }

  @Benchmark
  public SwarmRun run() {
    SwarmRun run = engine.start("noop" + steps, input, "");
    SwarmRun done = engine.await(run.id(), Duration.ofSeconds(30));
    if (done.status() != SwarmStatus.succeeded) {
      throw new IllegalStateException("run " + done.id() + " ended " + done.status());
    }
    return done;
  }
}
