package ai.sophia.swarm;

import static ai.sophia.swarm.SwarmFixture.QUICK;
import static ai.sophia.swarm.SwarmFixture.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.InvalidInputException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwarmEngineTest {
  @TempDir Path dir;
  SwarmFixture fx;

  @BeforeEach
  void open() {
    fx = new SwarmFixture(dir);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  static SwarmGraph pipeline() {
    return SwarmGraph.builder("pipeline")
        .step("a", c -> obj().put("a", c.state().path("x").asInt() + 1))
        .step("b", c -> obj().put("b", c.state().path("a").asInt() * 10))
        .step("c", c -> obj().put("c", "done"))
        .edge("a", "b")
        .edge("b", "c")
        .build();
  }

  @Test
  void start_sequentialSteps_runsInOrderAndCommitsState() throws Exception {
    fx.engine.register(pipeline());

    SwarmRun started = fx.engine.start("pipeline", obj().put("x", 1), "key-1");
    SwarmRun run = fx.engine.await(started.id(), Duration.ofSeconds(10));

    assertThat(started.id()).matches("swarm-[0-9a-f]{20}");
    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(run.state().path("a").asInt()).isEqualTo(2);
    assertThat(run.state().path("b").asInt()).isEqualTo(20);
    assertThat(run.state().path("c").asText()).isEqualTo("done");
    assertThat(run.requestedBy()).isEqualTo("key-1");
    assertThat(run.steps()).extracting(StepRecord::key).containsExactly("a", "b", "c");
    assertThat(run.steps()).allSatisfy(s -> assertThat(s.status()).isEqualTo("succeeded"));
    assertThat(run.finishedAt()).isPresent();
  }

  @Test
  void subscribe_afterFinish_replaysGapFreeEventsEndingWithRunFinished() throws Exception {
    fx.engine.register(pipeline());
    SwarmRun run = fx.engine.start("pipeline", obj().put("x", 1), "");
    fx.engine.await(run.id(), Duration.ofSeconds(10));

    List<SwarmEvent> events = SwarmFixture.events(fx.engine, run.id());

    assertThat(events)
        .extracting(SwarmEvent::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
    assertThat(events)
        .extracting(SwarmEvent::type)
        .containsExactly(
            "run_started",
            "step_started",
            "step_finished",
            "step_started",
            "step_finished",
            "step_started",
            "step_finished",
            "run_finished");
    assertThat(events.getLast().data().path("status").asText()).isEqualTo("succeeded");
  }

  @Test
  void start_unknownGraph_rejectsNamingTheField() {
    assertThatThrownBy(() -> fx.engine.start("nope", obj(), ""))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nope")
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo("graph");
  }

  @Test
  void start_routeLoop_repeatsUntilTheRouterEnds() {
    fx.engine.register(
        SwarmGraph.builder("loop")
            .step("inc", c -> obj().put("n", c.state().path("n").asInt() + 1), QUICK)
            .route("inc", s -> s.path("n").asInt() < 3 ? "inc" : SwarmGraph.END)
            .build());

    SwarmRun run =
        fx.engine.await(
            fx.engine.start("loop", obj().put("n", 0), "").id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(run.state().path("n").asInt()).isEqualTo(3);
    assertThat(run.steps()).extracting(StepRecord::key).containsExactly("inc", "inc#2", "inc#3");
  }

  @Test
  void start_loopPastItsBound_failsNamingTheStep() {
    fx.engine.register(
        SwarmGraph.builder("forever")
            .step("spin", c -> obj(), QUICK)
            .route("spin", s -> "spin")
            .maxVisits("spin", 4)
            .build());

    SwarmRun run =
        fx.engine.await(fx.engine.start("forever", obj(), "").id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.failed);
    assertThat(run.error()).contains("'spin'").contains("4 times");
  }

  @Test
  void start_fanOut_runsBranchesInParallelAndKeepsFailedBranchAsOutcome() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    fx.engine.register(
        SwarmGraph.builder("fan")
            .fanOut(
                "agents",
                s -> List.copyOf(s.withArray("tasks").valueStream().toList()),
                c -> {
                  peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                  Thread.sleep(400);
                  running.decrementAndGet();
                  if (c.item().asText().equals("bad")) {
                    throw new IllegalStateException("branch broke");
                  }
                  return obj().put("result", c.item().asText().toUpperCase());
                },
                QUICK)
            .step(
                "aggregate",
                c ->
                    obj()
                        .put(
                            "ok",
                            c.state()
                                .path("agents")
                                .valueStream()
                                .filter(o -> o.path("status").asText().equals("succeeded"))
                                .count()),
                QUICK)
            .edge("agents", "aggregate")
            .build());
    ArrayNode tasks = obj().putArray("tasks").add("a").add("bad").add("c");

    SwarmRun run =
        fx.engine.await(
            fx.engine.start("fan", obj().set("tasks", tasks), "").id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(peak.get()).isEqualTo(3);
    assertThat(run.state().path("ok").asInt()).isEqualTo(2);
    var outcomes = run.state().path("agents");
    assertThat(outcomes.get(0).path("output").path("result").asText()).isEqualTo("A");
    assertThat(outcomes.get(1).path("status").asText()).isEqualTo("failed");
    assertThat(outcomes.get(1).path("error").asText()).contains("branch broke");
    assertThat(run.steps())
        .extracting(StepRecord::key)
        .containsExactlyInAnyOrder("agents", "agents[0]", "agents[1]", "agents[2]", "aggregate");
  }
}
