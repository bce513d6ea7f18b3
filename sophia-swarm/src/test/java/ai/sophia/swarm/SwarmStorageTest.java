package ai.sophia.swarm;

import static ai.sophia.swarm.SwarmFixture.QUICK;
import static ai.sophia.swarm.SwarmFixture.obj;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.memory.Backend;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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

/** Resume inside one process, live events, reducers, retention, the in-memory store. */
@ParameterizedClass
@EnumSource(Backend.class)
class SwarmStorageTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    volatile Instant now = Instant.now();

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void resumeUnfinished_engineClosedMidStep_skipsCommittedStepsAndFinishes() throws Exception {
    AtomicInteger firstRuns = new AtomicInteger();
    AtomicInteger secondRuns = new AtomicInteger();
    CountDownLatch inSecond = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    SwarmGraph graph =
        SwarmGraph.builder("two")
            .step("first", c -> obj().put("first", firstRuns.incrementAndGet()), QUICK)
            .step(
                "second",
                c -> {
                  secondRuns.incrementAndGet();
                  inSecond.countDown();
                  release.await();
                  return obj().put("second", true);
                },
                QUICK.withTimeout(Duration.ofMinutes(1)))
            .edge("first", "second")
            .build();
    try (SwarmFixture fx = new SwarmFixture(dir, backend)) {
      fx.engine.register(graph);
      SwarmRun run = fx.engine.start("two", obj(), "");
      assertThat(inSecond.await(5, TimeUnit.SECONDS)).isTrue();
      // A step's start is committed once it has run for 50 ms (a quicker one's goes with its end).
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (fx.engine.find(run.id()).orElseThrow().steps().size() < 2 && System.nanoTime() < end) {
        Thread.sleep(10);
      }

      SwarmEngine engine = fx.restart(graph);
      release.countDown();
      assertThat(engine.find(run.id()).orElseThrow().status()).isEqualTo(SwarmStatus.running);
      assertThat(engine.resumeUnfinished()).isEqualTo(1);
      SwarmRun done = engine.await(run.id(), Duration.ofSeconds(10));

      assertThat(done.status()).isEqualTo(SwarmStatus.succeeded);
      assertThat(done.state().path("first").asInt()).isEqualTo(1);
      assertThat(firstRuns.get()).isEqualTo(1);
      assertThat(secondRuns.get()).isEqualTo(2);
      List<SwarmEvent> events = SwarmFixture.events(engine, run.id());
      assertThat(events)
          .extracting(SwarmEvent::seq)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
      assertThat(events).extracting(SwarmEvent::type).contains("run_resumed");
      assertThat(events)
          .filteredOn(e -> e.type().equals("step_started") && e.step().equals("second"))
          .last()
          .satisfies(e -> assertThat(e.data().path("after_crash").asBoolean()).isTrue());
    }
  }

  @Test
  void subscribe_whileRunning_deliversEveryEventOnceInOrder() throws Exception {
    try (SwarmFixture fx = new SwarmFixture(dir, backend)) {
      CountDownLatch go = new CountDownLatch(1);
      fx.engine.register(
          SwarmGraph.builder("chatty")
              .step(
                  "talk",
                  c -> {
                    go.await();
                    for (int i = 0; i < 200; i++) {
                      c.log("line " + i);
                      if (i == 100) {
                        c.usage(10, 20, 0.5);
                        c.event("agent_started", obj().put("agent", "researcher"));
                      }
                    }
                    return obj();
                  },
                  QUICK)
              .build());
      SwarmRun run = fx.engine.start("chatty", obj(), "");
      List<SwarmEvent> early = new CopyOnWriteArrayList<>();
      CountDownLatch end = new CountDownLatch(1);
      fx.engine.subscribe(
          run.id(),
          0,
          e -> {
            early.add(e);
            if (e.last()) {
              end.countDown();
            }
          });
      go.countDown();
      Thread.sleep(20);
      List<SwarmEvent> late = new CopyOnWriteArrayList<>();
      CountDownLatch lateEnd = new CountDownLatch(1);
      fx.engine.subscribe(
          run.id(),
          5,
          e -> {
            late.add(e);
            if (e.last()) {
              lateEnd.countDown();
            }
          });

      assertThat(end.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(lateEnd.await(10, TimeUnit.SECONDS)).isTrue();
      long total = early.size();
      // run_started, step_started, 200 log lines, usage, agent_started, step_finished, run_finished
      assertThat(total).isEqualTo(1 + 1 + 200 + 1 + 1 + 1 + 1);
      assertThat(early)
          .extracting(SwarmEvent::seq)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
      assertThat(late)
          .extracting(SwarmEvent::seq)
          .containsExactlyElementsOf(LongStream.rangeClosed(6, total).boxed().toList());
      assertThat(early)
          .filteredOn(e -> e.type().equals("usage"))
          .singleElement()
          .satisfies(e -> assertThat(e.data().path("output_tokens").asLong()).isEqualTo(20));
      assertThat(early).extracting(SwarmEvent::type).contains("agent_started");
    }
  }

  @Test
  void start_reducer_appendsListsFromEachVisit() {
    try (SwarmFixture fx = new SwarmFixture(dir, backend)) {
      fx.engine.register(
          SwarmGraph.builder("notes")
              .step(
                  "note",
                  c -> {
                    ObjectNodeHolder h = new ObjectNodeHolder();
                    h.node.putArray("notes").add("n" + c.stepKey());
                    h.node.put("count", c.state().path("count").asInt() + 1);
                    return h.node;
                  },
                  QUICK)
              .route("note", s -> s.path("count").asInt() < 3 ? "note" : SwarmGraph.END)
              .reducer(
                  "notes",
                  (current, update) -> {
                    ArrayNode all = Json.MAPPER.createArrayNode();
                    current.forEach(all::add);
                    update.forEach(all::add);
                    return all;
                  })
              .build());

      SwarmRun run =
          fx.engine.await(fx.engine.start("notes", obj(), "").id(), Duration.ofSeconds(10));

      assertThat(run.state().path("notes").toString())
          .isEqualTo("[\"nnote\",\"nnote#2\",\"nnote#3\"]");
    }
  }

  static final class ObjectNodeHolder {
    final com.fasterxml.jackson.databind.node.ObjectNode node = obj();
  }

  @Test
  void purgeExpired_oldFinishedRun_keepsACompactRow() {
    MovableClock clock = new MovableClock();
    try (SwarmFixture fx = new SwarmFixture(dir, backend, SwarmFixture.SETTINGS, clock)) {
      fx.engine.register(SwarmEngineTest.pipeline());
      SwarmRun run =
          fx.engine.await(
              fx.engine.start("pipeline", obj().put("x", 1), "").id(), Duration.ofSeconds(10));
      SqlSwarmStore store = new SqlSwarmStore(fx.db);
      long before = store.recordBytes(run.id());

      clock.now = clock.now.plus(Duration.ofDays(29));
      assertThat(fx.engine.purgeExpired()).isZero();
      clock.now = clock.now.plus(Duration.ofDays(2));
      assertThat(fx.engine.purgeExpired()).isEqualTo(1);

      SwarmRun kept = fx.engine.find(run.id()).orElseThrow();
      assertThat(kept.status()).isEqualTo(SwarmStatus.succeeded);
      assertThat(kept.state().path("b").asInt()).isEqualTo(20);
      assertThat(kept.steps()).isEmpty();
      assertThat(store.events(run.id(), 0, 100)).isEmpty();
      assertThat(store.recordBytes(run.id())).isLessThan(before / 2);
      assertThat(fx.engine.purgeExpired()).isZero();
    }
  }

  @Test
  void start_inMemoryStore_runsTheSameGraph() {
    try (SwarmEngine engine =
        SwarmEngine.create(new InMemorySwarmStore(), SwarmFixture.SETTINGS, Clock.systemUTC())) {
      engine.register(SwarmEngineTest.pipeline());

      SwarmRun run =
          engine.await(engine.start("pipeline", obj().put("x", 4), "").id(), Duration.ofSeconds(5));

      assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
      assertThat(run.state().path("b").asInt()).isEqualTo(50);
      assertThat(engine.list(java.util.Optional.of(SwarmStatus.succeeded), 10)).hasSize(1);
    }
  }
}
