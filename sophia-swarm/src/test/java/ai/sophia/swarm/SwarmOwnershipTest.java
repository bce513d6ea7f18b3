package ai.sophia.swarm;

import static ai.sophia.swarm.SwarmFixture.QUICK;
import static ai.sophia.swarm.SwarmFixture.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Two engines on one database, as a server and a CLI: runs are not taken from a live engine. */
@ParameterizedClass
@EnumSource(Backend.class)
class SwarmOwnershipTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  @Test
  void resumeUnfinished_runOfALiveEngine_isLeftToIt_andTakenOnceThatEngineCloses()
      throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CountDownLatch inside = new CountDownLatch(1);
    SwarmGraph graph =
        SwarmGraph.builder("held")
            .step(
                "work",
                c -> {
                  if (calls.incrementAndGet() == 1) {
                    inside.countDown();
                    Thread.sleep(30_000);
                  }
                  return obj().put("done", true);
                },
                QUICK.withTimeout(Duration.ofMinutes(1)).withSideEffects())
            .build();
    try (Database db = backend.open(dir)) {
      SwarmEngine server =
          SwarmEngine.create(new SqlSwarmStore(db), SwarmFixture.SETTINGS, Clock.systemUTC());
      server.register(graph);
      SwarmRun run = server.start("held", obj(), "");
      assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
      try (SwarmEngine cli =
          SwarmEngine.create(new SqlSwarmStore(db), SwarmFixture.SETTINGS, Clock.systemUTC())) {
        cli.register(graph);

        assertThat(cli.resumeUnfinished()).isZero();
        assertThat(calls.get()).isEqualTo(1);

        server.close();
        assertThat(cli.resumeUnfinished()).isEqualTo(1);
        SwarmRun done = cli.await(run.id(), Duration.ofSeconds(10));

        assertThat(done.status()).isEqualTo(SwarmStatus.succeeded);
        assertThat(calls.get()).isEqualTo(2);
        assertThat(done.steps().getFirst().attempt()).isEqualTo(2);
      }
    }
  }

  @Test
  void close_runInFlight_handsItsLeaseBackForAnotherNodeAtOnce() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    SwarmGraph graph =
        SwarmGraph.builder("handed")
            .step(
                "work",
                c -> {
                  inside.countDown();
                  Thread.sleep(30_000);
                  return obj().put("done", true);
                },
                QUICK.withTimeout(Duration.ofMinutes(1)))
            .build();
    try (Database db = backend.open(dir)) {
      SqlSwarmStore store = new SqlSwarmStore(db);
      SwarmEngine node = SwarmEngine.create(store, SwarmFixture.SETTINGS, Clock.systemUTC());
      node.register(graph);
      SwarmRun run = node.start("handed", obj(), "");
      assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
      // A node on another host judges an owner by its lease alone (ownerGone is false there).
      java.util.function.Predicate<String> elsewhere = owner -> false;
      assertThat(store.orphaned("other-host/1/aa", java.time.Instant.now(), elsewhere, 10))
          .isEmpty();

      node.close();

      assertThat(store.orphaned("other-host/1/aa", java.time.Instant.now(), elsewhere, 10))
          .extracting(SwarmRun::id)
          .containsExactly(run.id());
    }
  }

  @Test
  void subscribe_runOfAnotherEngine_pollsTheStoreWithoutGaps() throws Exception {
    try (Database db = backend.open(dir);
        SwarmEngine runner =
            SwarmEngine.create(new SqlSwarmStore(db), SwarmFixture.SETTINGS, Clock.systemUTC());
        SwarmEngine watcher =
            SwarmEngine.create(new SqlSwarmStore(db), SwarmFixture.SETTINGS, Clock.systemUTC())) {
      CountDownLatch go = new CountDownLatch(1);
      runner.register(
          SwarmGraph.builder("steps")
              .step(
                  "a",
                  c -> {
                    go.await();
                    c.log("one");
                    Thread.sleep(300);
                    c.log("two");
                    return obj();
                  },
                  QUICK)
              .step("b", c -> obj().put("b", 1), QUICK)
              .edge("a", "b")
              .build());
      SwarmRun run = runner.start("steps", obj(), "");

      List<SwarmEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      CountDownLatch last = new CountDownLatch(1);
      watcher.subscribe(
          run.id(),
          0,
          e -> {
            seen.add(e);
            if (e.last()) {
              last.countDown();
            }
          });
      go.countDown();

      assertThat(last.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(seen)
          .extracting(SwarmEvent::seq)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, seen.size()).boxed().toList());
      assertThat(seen).extracting(SwarmEvent::type).contains("log", "run_finished");
    }
  }

  @Test
  void claim_expiredLeaseClaimedByManyAtOnce_exactlyOneTakesIt() throws Exception {
    try (Database db = backend.open(dir)) {
      SqlSwarmStore store = new SqlSwarmStore(db);
      java.time.Instant now = java.time.Instant.now();
      SwarmRun run = SwarmFixture.running("swarm-claimed", "g", now);
      store.create(run, "gone-engine", now.minusSeconds(1), List.of());
      int claimers = 8;
      CountDownLatch start = new CountDownLatch(1);
      AtomicInteger won = new AtomicInteger();
      List<Thread> threads = new java.util.ArrayList<>();
      for (int i = 0; i < claimers; i++) {
        String owner = "engine-" + i;
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        start.await();
                      } catch (InterruptedException e) {
                        return;
                      }
                      if (store.claim(run.id(), owner, now, now.plusSeconds(30), o -> false)) {
                        won.incrementAndGet();
                      }
                    }));
      }
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }

      assertThat(won.get()).isEqualTo(1);
      assertThat(store.claim(run.id(), "late", now, now.plusSeconds(30), o -> false)).isFalse();
    }
  }
}
