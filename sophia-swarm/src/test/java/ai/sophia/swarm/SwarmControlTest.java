package ai.sophia.swarm;

import static ai.sophia.swarm.SwarmFixture.QUICK;
import static ai.sophia.swarm.SwarmFixture.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConflictException;
import ai.sophia.error.NotFoundException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, timeouts, cancellation, deadlines and approvals. */
class SwarmControlTest {
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

  @Test
  void start_stepFailsOnce_retriesWithTheSameKeyAndSucceeds() throws Exception {
    List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
    fx.engine.register(
        SwarmGraph.builder("flaky")
            .step(
                "call",
                c -> {
                  keys.add(c.idempotencyKey() + "@" + c.attempt());
                  if (c.attempt() == 1) {
                    throw new IllegalStateException("provider hiccup");
                  }
                  return obj().put("ok", true);
                },
                QUICK.withAttempts(3).withSideEffects())
            .build());

    SwarmRun run =
        fx.engine.await(fx.engine.start("flaky", obj(), "").id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(keys).containsExactly(run.id() + "/call@1", run.id() + "/call@2");
    assertThat(run.steps().getFirst().attempt()).isEqualTo(2);
    assertThat(SwarmFixture.events(fx.engine, run.id()))
        .filteredOn(e -> e.type().equals("step_retrying"))
        .singleElement()
        .satisfies(e -> assertThat(e.data().path("error").asText()).contains("provider hiccup"));
  }

  @Test
  void start_stepKeepsFailing_failsTheRunNamingTheStep() {
    AtomicInteger calls = new AtomicInteger();
    fx.engine.register(
        SwarmGraph.builder("broken")
            .step("ok", c -> obj().put("ok", 1), QUICK)
            .step(
                "bad",
                c -> {
                  calls.incrementAndGet();
                  throw new IllegalStateException("no luck");
                },
                QUICK.withAttempts(2))
            .step("never", c -> obj().put("never", true), QUICK)
            .edge("ok", "bad")
            .edge("bad", "never")
            .build());

    SwarmRun run =
        fx.engine.await(fx.engine.start("broken", obj(), "").id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.failed);
    assertThat(run.error()).contains("'bad'").contains("no luck");
    assertThat(calls.get()).isEqualTo(2);
    assertThat(run.state().has("never")).isFalse();
    assertThat(run.steps()).extracting(StepRecord::status).containsExactly("succeeded", "failed");
  }

  @Test
  void start_stepOverItsTimeout_isInterruptedAndFailsAsTimedOut() {
    AtomicBoolean sawCancelled = new AtomicBoolean();
    fx.engine.register(
        SwarmGraph.builder("slow")
            .step(
                "sleep",
                c -> {
                  try {
                    Thread.sleep(10_000);
                  } catch (InterruptedException e) {
                    sawCancelled.set(c.cancelled());
                    throw e;
                  }
                  return obj();
                },
                QUICK.withTimeout(Duration.ofMillis(200)))
            .build());

    long t0 = System.nanoTime();
    SwarmRun run = fx.engine.await(fx.engine.start("slow", obj(), "").id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.failed);
    assertThat(run.error()).contains("timed out after 200 ms");
    assertThat(sawCancelled).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void cancel_runningStep_interruptsItAndEndsCancelled() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    fx.engine.register(
        SwarmGraph.builder("long")
            .step(
                "wait",
                c -> {
                  inside.countDown();
                  Thread.sleep(30_000);
                  return obj();
                },
                QUICK.withTimeout(Duration.ofMinutes(1)))
            .build());
    SwarmRun started = fx.engine.start("long", obj(), "");
    assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

    SwarmRun run = fx.engine.cancel(started.id(), "alice");

    assertThat(run.status()).isEqualTo(SwarmStatus.cancelled);
    assertThat(run.error()).contains("alice");
    assertThat(run.steps().getFirst().status()).isEqualTo("cancelled");
    assertThat(SwarmFixture.events(fx.engine, run.id()).getLast().type()).isEqualTo("run_finished");
    assertThatThrownBy(() -> fx.engine.cancel(started.id(), "alice"))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> fx.engine.cancel("swarm-00", "alice"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void start_pastTheRunDeadline_endsTimedOut() {
    fx.close();
    fx = new SwarmFixture(dir, new SophiaConfig.Swarm(5_000, 1, 1_500, 30, 0.8), Clock.systemUTC());
    fx.engine.register(
        SwarmGraph.builder("late")
            .step("one", c -> obj().put("one", true), QUICK)
            .step(
                "two",
                c -> {
                  Thread.sleep(5_000);
                  return obj();
                },
                QUICK)
            .edge("one", "two")
            .build());

    SwarmRun run = fx.engine.await(fx.engine.start("late", obj(), "").id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.timed_out);
    assertThat(run.state().path("one").asBoolean()).isTrue();
    assertThat(run.error()).contains("deadline");
  }

  static SwarmGraph approvalGraph(AtomicInteger deploys) {
    return SwarmGraph.builder("release")
        .step("build", c -> obj().put("built", true), QUICK)
        .step(
            "deploy",
            c -> {
              deploys.incrementAndGet();
              return obj().put("deployed", true);
            },
            QUICK.withApproval().withSideEffects())
        .step("report", c -> obj().put("reported", true), QUICK)
        .edge("build", "deploy")
        .edge("deploy", "report")
        .build();
  }

  @Test
  void decide_granted_runsTheStepAndRecordsWhoAndWhy() throws Exception {
    AtomicInteger deploys = new AtomicInteger();
    fx.engine.register(approvalGraph(deploys));
    SwarmRun started = fx.engine.start("release", obj(), "");
    SwarmRun waiting =
        SwarmFixture.awaitStatus(fx.engine, started.id(), SwarmStatus.waiting_approval);
    assertThat(waiting.status()).isEqualTo(SwarmStatus.waiting_approval);
    assertThat(deploys.get()).isZero();

    fx.engine.decide(started.id(), "deploy", true, "bob", "looks fine");
    SwarmRun run = fx.engine.await(started.id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(deploys.get()).isEqualTo(1);
    assertThat(run.state().path("deployed").asBoolean()).isTrue();
    assertThat(SwarmFixture.events(fx.engine, run.id()))
        .filteredOn(e -> e.type().equals("approval_decided"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.data().path("by").asText()).isEqualTo("bob");
              assertThat(e.data().path("reason").asText()).isEqualTo("looks fine");
              assertThat(e.data().path("granted").asBoolean()).isTrue();
            });
  }

  @Test
  void decide_denied_skipsTheStepAndTheRunGoesOn() throws Exception {
    AtomicInteger deploys = new AtomicInteger();
    fx.engine.register(approvalGraph(deploys));
    SwarmRun started = fx.engine.start("release", obj(), "");
    SwarmFixture.awaitStatus(fx.engine, started.id(), SwarmStatus.waiting_approval);

    fx.engine.decide(started.id(), "deploy", false, "bob", "not on a Friday");
    SwarmRun run = fx.engine.await(started.id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(deploys.get()).isZero();
    assertThat(run.state().path("reported").asBoolean()).isTrue();
    StepRecord deploy =
        run.steps().stream().filter(s -> s.key().equals("deploy")).findFirst().get();
    assertThat(deploy.status()).isEqualTo("skipped");
    assertThat(deploy.error()).contains("bob").contains("not on a Friday");
    assertThatThrownBy(() -> fx.engine.decide(started.id(), "deploy", true, "bob", ""))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void decide_afterRestart_theWaitingRunSurvivesAndContinues() throws Exception {
    AtomicInteger deploys = new AtomicInteger();
    fx.engine.register(approvalGraph(deploys));
    SwarmRun started = fx.engine.start("release", obj(), "");
    assertThat(
            SwarmFixture.awaitStatus(fx.engine, started.id(), SwarmStatus.waiting_approval)
                .status())
        .isEqualTo(SwarmStatus.waiting_approval);

    SwarmEngine engine = fx.restart(approvalGraph(deploys));
    assertThat(engine.resumeUnfinished()).isZero();
    assertThat(engine.find(started.id()).orElseThrow().status())
        .isEqualTo(SwarmStatus.waiting_approval);
    engine.decide(started.id(), "deploy", true, "carol", "");
    SwarmRun run = engine.await(started.id(), Duration.ofSeconds(10));

    assertThat(run.status()).isEqualTo(SwarmStatus.succeeded);
    assertThat(deploys.get()).isEqualTo(1);
  }

  @Test
  void cancel_waitingForApproval_endsCancelled() throws Exception {
    fx.engine.register(approvalGraph(new AtomicInteger()));
    SwarmRun started = fx.engine.start("release", obj(), "");
    SwarmFixture.awaitStatus(fx.engine, started.id(), SwarmStatus.waiting_approval);

    SwarmRun run = fx.engine.cancel(started.id(), "dave");

    assertThat(run.status()).isEqualTo(SwarmStatus.cancelled);
    assertThat(run.steps())
        .extracting(StepRecord::status)
        .containsExactly("succeeded", "cancelled");
  }
}
