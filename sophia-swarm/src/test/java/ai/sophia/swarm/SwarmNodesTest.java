package ai.sophia.swarm;

import static ai.sophia.swarm.SwarmFixture.QUICK;
import static ai.sophia.swarm.SwarmFixture.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Engines of two nodes on one database (named apart, so that neither can see the other's process):
 * lost runs are swept up, cancels and approvals cross nodes, a node stops a run another took.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class SwarmNodesTest {
  private static final long LEASE_MS = 1_500;

  @Parameter Backend backend;
  @TempDir Path dir;

  private static SwarmEngine node(Database db, String name) {
    SophiaConfig.Swarm s = SwarmFixture.SETTINGS;
    return SwarmEngine.create(
        new SqlSwarmStore(db),
        new SophiaConfig.Swarm(
            s.stepTimeoutMs(),
            s.stepAttempts(),
            s.runDeadlineMs(),
            s.retentionDays(),
            s.qualityThreshold(),
            LEASE_MS,
            name),
        Clock.systemUTC());
  }

  private static SwarmGraph counting(String name, AtomicInteger calls) {
    return SwarmGraph.builder(name)
        .step(
            "work",
            c -> {
              calls.incrementAndGet();
              return obj().put("done", true);
            },
            QUICK.withSideEffects())
        .build();
  }

  /** Registers {@code graph} on each node and starts its sweeping, as a serving node does. */
  private static void serving(SwarmGraph graph, SwarmEngine... nodes) {
    for (SwarmEngine n : nodes) {
      n.register(graph);
      n.startSweeping();
    }
  }

  /** A one-step graph whose step says it began, sleeps, and says when it is interrupted. */
  private static SwarmGraph sleeping(
      String name, CountDownLatch inside, CountDownLatch interrupted) {
    return SwarmGraph.builder(name)
        .step(
            "work",
            c -> {
              inside.countDown();
              try {
                Thread.sleep(30_000);
              } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
              }
              return obj();
            },
            QUICK.withTimeout(Duration.ofMinutes(1)))
        .build();
  }

  @Test
  void startSweeping_leaseOfADeadNodeExpires_runIsResumedWithinSeconds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (Database db = backend.open(dir);
        SwarmEngine b = node(db, "node-b")) {
      b.register(counting("lost", calls));
      // A run a node on another host held when it died: its lease runs out half a second on.
      Instant now = Instant.now();
      SwarmRun run = SwarmFixture.running(SwarmIds.run(), "lost", now);
      new SqlSwarmStore(db).create(run, "node-z/1/dead", now.plusMillis(500), List.of());

      b.startSweeping();
      SwarmRun done = b.await(run.id(), Duration.ofSeconds(10));

      assertThat(done.status()).isEqualTo(SwarmStatus.succeeded);
      assertThat(done.finishedAt().orElseThrow()).isBefore(now.plusSeconds(4));
      assertThat(calls.get()).isEqualTo(1);
    }
  }

  @Test
  void cancel_runExecutingOnAnotherNode_thatNodeStopsIt() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    SwarmGraph graph = sleeping("long", inside, interrupted);
    try (Database db = backend.open(dir);
        SwarmEngine a = node(db, "node-a");
        SwarmEngine b = node(db, "node-b")) {
      serving(graph, a, b);
      SwarmRun run = a.start("long", obj(), "");
      assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

      SwarmRun answered = b.cancel(run.id(), "bob");

      assertThat(answered.status()).isEqualTo(SwarmStatus.cancelled);
      assertThat(answered.error()).isEqualTo("cancelled by bob");
      assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
      assertSeqsContinuous(db, run.id());
    }
  }

  @Test
  void decide_runParkedOnAnotherNode_goesOnHere() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    SwarmGraph graph =
        SwarmGraph.builder("gated")
            .step("first", c -> obj().put("first", 1), QUICK)
            .step(
                "gate",
                c -> {
                  calls.incrementAndGet();
                  return obj().put("gate", 1);
                },
                QUICK.withApproval())
            .edge("first", "gate")
            .build();
    try (Database db = backend.open(dir);
        SwarmEngine a = node(db, "node-a");
        SwarmEngine b = node(db, "node-b")) {
      serving(graph, a, b);
      SwarmRun run = a.start("gated", obj(), "");
      SwarmRun parked = a.await(run.id(), Duration.ofSeconds(3));
      assertThat(parked.status()).isEqualTo(SwarmStatus.waiting_approval);
      List<SwarmEvent> onA = new CopyOnWriteArrayList<>();
      CountDownLatch last = new CountDownLatch(1);
      a.subscribe(
          run.id(),
          0,
          e -> {
            onA.add(e);
            if (e.last()) {
              last.countDown();
            }
          });

      b.decide(run.id(), "gate", true, "bob", "fine");
      SwarmRun done = b.await(run.id(), Duration.ofSeconds(10));
      // Long enough for node A's renewal to learn that it no longer holds the run.
      Thread.sleep(2 * LEASE_MS / 3 + 200);

      assertThat(done.status()).isEqualTo(SwarmStatus.succeeded);
      assertThat(calls.get()).isEqualTo(1);
      assertThat(last.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(onA)
          .extracting(SwarmEvent::seq)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, onA.size()).boxed().toList());
      assertThat(onA).extracting(SwarmEvent::type).contains("approval_decided", "run_finished");
      assertThat(a.find(run.id()).orElseThrow().status()).isEqualTo(SwarmStatus.succeeded);
      assertSeqsContinuous(db, run.id());
    }
  }

  @Test
  void renew_anotherEngineTookTheRun_thisOneStopsExecutingIt() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    SwarmGraph graph = sleeping("taken", inside, interrupted);
    try (Database db = backend.open(dir);
        SwarmEngine a = node(db, "node-a")) {
      a.register(graph);
      SwarmRun run = a.start("taken", obj(), "");
      assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
      // Another node claimed it, as after a pause of this one longer than its lease.
      db.useHandle(
          h ->
              h.createUpdate("UPDATE swarm_runs SET owner = 'node-z/1/other' WHERE id = :id")
                  .bind("id", run.id())
                  .execute());

      assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(300);

      SwarmRun stored = a.find(run.id()).orElseThrow();
      assertThat(stored.status().finished()).as(stored.status().name()).isFalse();
    }
  }

  private static void assertSeqsContinuous(Database db, String runId) {
    List<Long> seqs =
        new SqlSwarmStore(db).events(runId, 0, 10_000).stream().map(SwarmEvent::seq).toList();
    assertThat(seqs)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
  }
}
