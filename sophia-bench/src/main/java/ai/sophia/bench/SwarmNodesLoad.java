package ai.sophia.bench;

import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.Database;
import ai.sophia.memory.PostgresDatabase;
import ai.sophia.memory.TestPostgres;
import ai.sophia.swarm.SqlSwarmStore;
import ai.sophia.swarm.StepPolicy;
import ai.sophia.swarm.SwarmEngine;
import ai.sophia.swarm.SwarmEvent;
import ai.sophia.swarm.SwarmGraph;
import ai.sophia.swarm.SwarmRun;
import ai.sophia.swarm.SwarmStatus;
import ai.sophia.swarm.SwarmStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Swarm engines of several nodes on one PostgreSQL (a server of its own, {@code TestPostgres}):
 *
 * <ul>
 *   <li>throughput: {@code --runs} fan-out(3) + aggregate swarms started at once on one node, then
 *       split over two (two engines, each with its own connection pool, in this JVM);
 *   <li>takeover: a child JVM (node A) starts {@code --held} runs whose step never ends and is
 *       killed with SIGKILL; node B, sweeping, resumes them. Printed: the time from the kill to the
 *       first and the last run resumed and finished, with the lease ({@code --lease-ms}).
 * </ul>
 */
public final class SwarmNodesLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int POOL = 10;

  private SwarmNodesLoad() {}

  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Set.of("runs", "rounds", "held", "lease-ms", "child"));
    int held = flags.integer("held", 200, 1, 10_000);
    int lease = flags.integer("lease-ms", 3_000, 1_000, 600_000);
    if (flags.has("child")) {
      child(flags.text("child", ""), held, lease);
      return;
    }
    int runs = flags.integer("runs", 1000, 1, 100_000);
    int rounds = flags.integer("rounds", 3, 1, 20);
    System.out.printf(
        "machine: %d cores; PostgreSQL on the same machine; %d concurrent runs of fan-out(3) +"
            + " aggregate%n",
        Runtime.getRuntime().availableProcessors(), runs);
    String url = TestPostgres.get().create("bench_nodes_" + ProcessHandle.current().pid());
    try (Database a = open(url);
        Database b = open(url)) {
      round("warm-up", List.of(a), Math.min(runs, 200), lease);
      for (int r = 1; r <= rounds; r++) {
        round("1 node #" + r, List.of(a), runs, lease);
        round("2 nodes #" + r, List.of(a, b), runs, lease);
      }
      takeover(url, b, held, lease);
    }
  }

  private static Database open(String url) {
    return PostgresDatabase.open(url, TestPostgres.USER, TestPostgres.PASSWORD, POOL);
  }

  private static SophiaConfig.Swarm settings(long leaseMs, String node) {
    return new SophiaConfig.Swarm(60_000, 1, 600_000, 30, 0.8, leaseMs, node);
  }

  /** Starts {@code runs} swarms at once, spread round robin over one engine per database. */
  private static void round(String label, List<Database> nodes, int runs, long leaseMs)
      throws Exception {
    List<SwarmEngine> engines = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      SwarmEngine e =
          SwarmEngine.create(
              new SqlSwarmStore(nodes.get(i)), settings(leaseMs, "node-" + i), Clock.systemUTC());
      e.register(SwarmLoad.fanOut());
      engines.add(e);
    }
    try {
      double[] latencyMs = new double[runs];
      AtomicInteger failed = new AtomicInteger();
      List<Thread> waiters = new ArrayList<>(runs);
      long t0 = System.nanoTime();
      for (int i = 0; i < runs; i++) {
        int index = i;
        SwarmEngine engine = engines.get(i % engines.size());
        waiters.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      long started = System.nanoTime();
                      SwarmRun run = engine.start("fanout3", SwarmLoad.input(), "");
                      SwarmRun done = engine.await(run.id(), Duration.ofMinutes(5));
                      latencyMs[index] = (System.nanoTime() - started) / 1e6;
                      if (done.status() != SwarmStatus.succeeded) {
                        failed.incrementAndGet();
                      }
                    }));
      }
      for (Thread t : waiters) {
        t.join();
      }
      double totalS = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "%-12s runs %d, failed %d, total %.2f s, %.0f runs/s, latency p50 %.1f ms, p99 %.1f"
              + " ms%n",
          label,
          runs,
          failed.get(),
          totalS,
          runs / totalS,
          Percentile.of(latencyMs, 0.50),
          Percentile.of(latencyMs, 0.99));
    } finally {
      engines.forEach(SwarmEngine::close);
    }
  }

  /** The graph of the takeover: on node A its step never ends; on node B it returns at once. */
  private static SwarmGraph held(boolean forever) {
    return SwarmGraph.builder("held")
        .step(
            "work",
            c -> {
              if (forever) {
                Thread.sleep(Duration.ofHours(1));
              }
              return JSON.createObjectNode().put("done", true);
            },
            new StepPolicy(Duration.ofHours(2), 1, Duration.ZERO, false, true))
        .build();
  }

  /** Node A, in a JVM of its own: starts the runs, says how many, and waits to be killed. */
  private static void child(String url, int held, long leaseMs) throws Exception {
    try (Database db = open(url);
        SwarmEngine a =
            SwarmEngine.create(
                new SqlSwarmStore(db), settings(leaseMs, "node-a"), Clock.systemUTC())) {
      a.register(held(true));
      for (int i = 0; i < held; i++) {
        a.start("held", JSON.createObjectNode(), "");
      }
      System.out.println("started " + held);
      System.out.flush();
      Thread.sleep(Duration.ofHours(1));
    }
  }

  private static void takeover(String url, Database db, int held, long leaseMs) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                SwarmNodesLoad.class.getName(),
                "--child",
                url,
                "--held",
                Integer.toString(held),
                "--lease-ms",
                Long.toString(leaseMs))
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("started ")) {
        // the child's log lines
      }
      if (line == null) {
        throw new BenchException("node A ended before starting its runs");
      }
    }
    SwarmStore store = new SqlSwarmStore(db);
    List<String> ids = store.unfinished(held * 2).stream().map(SwarmRun::id).toList();
    try (SwarmEngine b =
        SwarmEngine.create(store, settings(leaseMs, "node-b"), Clock.systemUTC())) {
      b.register(held(false));
      b.startSweeping();
      Thread.sleep(leaseMs); // node A renews: nothing is taken from a live node
      int takenEarly = (int) ids.stream().filter(id -> resumedAt(store, id) != null).count();
      child.destroyForcibly().waitFor();
      Instant killed = Instant.now();
      List<Long> resumedMs = new ArrayList<>();
      List<Long> finishedMs = new ArrayList<>();
      for (String id : ids) {
        SwarmRun done = b.await(id, Duration.ofMillis(leaseMs).plusMinutes(2));
        Instant resumed = resumedAt(store, id);
        if (done.status() != SwarmStatus.succeeded || resumed == null) {
          throw new BenchException("run " + id + " ended " + done.status() + " after the kill");
        }
        resumedMs.add(Duration.between(killed, resumed).toMillis());
        finishedMs.add(Duration.between(killed, done.finishedAt().orElseThrow()).toMillis());
      }
      System.out.printf(
          "takeover: %d runs held by node A (SIGKILLed), lease %d ms, taken while A lived %d;"
              + " node B resumed the first %d ms and the last %d ms after the kill, all finished"
              + " %d ms after it%n",
          ids.size(),
          leaseMs,
          takenEarly,
          resumedMs.stream().mapToLong(Long::longValue).min().orElse(-1),
          resumedMs.stream().mapToLong(Long::longValue).max().orElse(-1),
          finishedMs.stream().mapToLong(Long::longValue).max().orElse(-1));
    }
  }

  private static Instant resumedAt(SwarmStore store, String runId) {
    return store.events(runId, 0, 1000).stream()
        .filter(e -> e.type().equals("run_resumed"))
        .map(SwarmEvent::at)
        .findFirst()
        .orElse(null);
  }
}
