package ai.sophia.swarm;

import static ai.sophia.swarm.SwarmFixture.QUICK;
import static ai.sophia.swarm.SwarmFixture.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import com.fasterxml.jackson.databind.node.NullNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A node that lost a run's lease writes nothing more to it; the node that took it goes on. */
@ParameterizedClass
@EnumSource(Backend.class)
class SwarmFenceTest {
  /** A lease no renewal comes due in during a test: the pause is made by expiring it by hand. */
  private static final SophiaConfig.Swarm LONG_LEASE =
      new SophiaConfig.Swarm(5_000, 2, 60_000, 30, 0.8, 3_600_000, "");

  @Parameter Backend backend;
  @TempDir Path dir;

  @Test
  void commit_ownerLostTheLease_isRefusedAndWritesNothing() {
    try (Database db = backend.open(dir)) {
      SqlSwarmStore store = new SqlSwarmStore(db);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      SwarmRun run = SwarmFixture.running("swarm-fenced", "g", now);
      store.create(run, "node-a", now.plusSeconds(1), List.of());
      assertThat(store.commit(commit(run.id(), "node-a", 1, "a", SwarmStatus.running))).isEmpty();

      Instant later = now.plusSeconds(2);
      assertThat(store.claim(run.id(), "node-b", later, later.plusSeconds(30), o -> false))
          .isTrue();

      assertThat(store.commit(commit(run.id(), "node-a", 2, "a", SwarmStatus.failed)))
          .contains("node-b");
      assertThat(store.events(run.id(), 0, 100)).extracting(SwarmEvent::seq).containsExactly(1L);
      assertThat(store.find(run.id()).orElseThrow().status()).isEqualTo(SwarmStatus.running);
      assertThat(store.find(run.id()).orElseThrow().steps())
          .extracting(StepRecord::attempt)
          .containsExactly(1);

      assertThat(store.commit(commit(run.id(), "node-b", 2, "b", SwarmStatus.succeeded))).isEmpty();
      assertThat(store.events(run.id(), 0, 100))
          .extracting(SwarmEvent::seq, SwarmEvent::step)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1L, "a"),
              org.assertj.core.groups.Tuple.tuple(2L, "b"));
      SwarmRun stored = store.find(run.id()).orElseThrow();
      assertThat(stored.status()).isEqualTo(SwarmStatus.succeeded);
      assertThat(stored.steps()).extracting(StepRecord::attempt).containsExactly(2);
    }
  }

  /** A write of step {@code work} (attempt {@code seq}) with event {@code seq} by {@code owner}. */
  private static SwarmStore.Commit commit(
      String runId, String owner, long seq, String node, SwarmStatus status) {
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    StepRecord step =
        new StepRecord(
            "work",
            "work",
            "succeeded",
            (int) seq,
            Optional.of(at),
            Optional.of(at),
            obj().put("node", node),
            "");
    return new SwarmStore.Commit(
        runId,
        owner,
        Optional.of(
            new SwarmStore.RunChange(
                status, obj(), "", status.finished() ? Optional.of(at) : Optional.empty())),
        List.of(new SwarmStore.StepWrite(step, NullNode.getInstance())),
        List.of(new SwarmEvent(runId, seq, "log", node, obj(), at)));
  }

  @Test
  void step_nodePausedPastItsLease_doesNotCommitAfterResuming_andTheRunFinishesOnceElsewhere()
      throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger afterCalls = new AtomicInteger();
    CountDownLatch aInside = new CountDownLatch(1);
    CountDownLatch releaseA = new CountDownLatch(1);
    // The remote system the step commits to, idempotent by key: a second commit returns the first.
    Map<String, Integer> remote = new ConcurrentHashMap<>();
    SwarmGraph graph =
        SwarmGraph.builder("fenced")
            .step(
                "work",
                c -> {
                  int call = calls.incrementAndGet();
                  if (call == 1) {
                    aInside.countDown();
                    releaseA.await();
                  }
                  int commit = remote.computeIfAbsent(c.idempotencyKey(), k -> call);
                  return obj().put("node", call == 1 ? "a" : "b").put("commit", commit);
                },
                QUICK.withTimeout(Duration.ofMinutes(1)).withSideEffects())
            .step(
                "after",
                c -> {
                  afterCalls.incrementAndGet();
                  return obj();
                },
                QUICK)
            .edge("work", "after")
            .build();
    try (Database db = backend.open(dir);
        SwarmEngine a = SwarmEngine.create(new SqlSwarmStore(db), LONG_LEASE, Clock.systemUTC());
        SwarmEngine b = SwarmEngine.create(new SqlSwarmStore(db), LONG_LEASE, Clock.systemUTC())) {
      SqlSwarmStore store = new SqlSwarmStore(db);
      a.register(graph);
      b.register(graph);
      SwarmRun run = a.start("fenced", obj(), "");
      assertThat(aInside.await(5, TimeUnit.SECONDS)).isTrue();

      // Node a pauses past its lease: it expires, and b claims the run (as its sweep does first).
      db.useHandle(
          h ->
              h.createUpdate("UPDATE swarm_runs SET lease_until = 0 WHERE id = :id")
                  .bind("id", run.id())
                  .execute());
      Instant now = Instant.now();
      assertThat(store.claim(run.id(), b.owner(), now, now.plusSeconds(3600), o -> false)).isTrue();

      // Node a resumes before its next renewal would tell it to stop, and finishes its step first.
      releaseA.countDown();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!a.executions().isEmpty() && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(a.executions()).isEmpty();
      assertThat(b.resumeUnfinished()).isEqualTo(1);
      SwarmRun done = b.await(run.id(), Duration.ofSeconds(10));

      assertThat(done.status()).isEqualTo(SwarmStatus.succeeded);
      assertThat(done.steps())
          .filteredOn(s -> s.key().equals("work"))
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.output().path("node").asText()).isEqualTo("b");
                assertThat(s.output().path("commit").asInt()).isEqualTo(1);
              });
      assertThat(remote).hasSize(1);
      assertThat(calls.get()).isEqualTo(2);
      assertThat(afterCalls.get()).isEqualTo(1);
      List<SwarmEvent> events = SwarmFixture.events(b, run.id());
      assertThat(events)
          .extracting(SwarmEvent::seq)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
      assertThat(events).filteredOn(SwarmEvent::last).hasSize(1);
    }
  }
}
