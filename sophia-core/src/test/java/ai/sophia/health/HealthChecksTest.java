package ai.sophia.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthChecksTest {
  @Test
  void run_hungCheck_isDownWithinItsTimeoutNotTheHang() {
    HealthChecks checks =
        HealthChecks.create()
            .register(
                HealthCheck.of("fast", Duration.ofSeconds(1), true, () -> HealthStatus.up("ok")))
            .register(
                HealthCheck.of(
                    "hung",
                    Duration.ofMillis(200),
                    false,
                    () -> {
                      Thread.sleep(10_000);
                      return HealthStatus.up("never");
                    }));
    long start = System.nanoTime();
    HealthReport report = checks.run();
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(tookMs).isLessThan(5_000);
    assertThat(report.components())
        .extracting(HealthReport.ComponentHealth::status)
        .containsExactly(HealthStatus.State.up, HealthStatus.State.down);
    assertThat(report.components().get(1).detail()).contains("200 ms");
    assertThat(report.status()).isEqualTo(HealthStatus.State.degraded);
  }

  @Test
  void run_criticalCheckThrows_overallDownWithMessage() {
    HealthReport report =
        HealthChecks.create()
            .register(
                HealthCheck.of(
                    "store",
                    Duration.ofSeconds(1),
                    true,
                    () -> {
                      throw new IllegalStateException("disk gone");
                    }))
            .run();
    assertThat(report.status()).isEqualTo(HealthStatus.State.down);
    assertThat(report.components().getFirst().detail()).contains("disk gone");
  }

  @Test
  void run_checkIgnoringInterrupts_doesNotHoldUpTheReport() {
    HealthChecks checks =
        HealthChecks.create()
            .register(
                HealthCheck.of(
                    "stubborn",
                    Duration.ofMillis(200),
                    false,
                    () -> {
                      long until = System.nanoTime() + 3_000_000_000L;
                      while (System.nanoTime() < until) {
                        try {
                          Thread.sleep(50);
                        } catch (InterruptedException ignored) {
                          // this probe deliberately ignores interrupts
                        }
                      }
                      return HealthStatus.up("late");
                    }))
            .register(
                HealthCheck.of("instant", Duration.ofSeconds(1), () -> HealthStatus.up("ok")));
    long start = System.nanoTime();
    HealthReport report = checks.run();
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(tookMs).isLessThan(2_000);
    assertThat(report.components().get(0).status()).isEqualTo(HealthStatus.State.down);
    // The instant probe's latency is its own, not the time spent waiting for the stubborn one.
    assertThat(report.components().get(1).latencyMs()).isLessThan(150);
  }

  @Test
  void runWithMaxAge_pollsWithinMaxAge_shareOneRunOfTheProbes() throws Exception {
    java.util.concurrent.atomic.AtomicInteger probes =
        new java.util.concurrent.atomic.AtomicInteger();
    HealthChecks checks =
        HealthChecks.create()
            .register(
                HealthCheck.of(
                    "counted",
                    Duration.ofSeconds(1),
                    () -> HealthStatus.up("run " + probes.incrementAndGet())));
    HealthReport first = checks.run(Duration.ofMinutes(1));
    HealthReport second = checks.run(Duration.ofMinutes(1));
    assertThat(second).isSameAs(first);
    assertThat(probes).hasValue(1);
    Thread.sleep(5);
    assertThat(checks.run(Duration.ofMillis(1)).components().getFirst().detail())
        .isEqualTo("run 1");
    assertThat(reportAfterRefresh(checks, "run 2")).isNotSameAs(first);
  }

  @Test
  void runWithMaxAge_manyCallersOfAStaleReport_getItAtOnceAndStartOneRefresh() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger probes =
        new java.util.concurrent.atomic.AtomicInteger();
    HealthChecks checks =
        HealthChecks.create()
            .register(
                HealthCheck.of(
                    "slow",
                    Duration.ofSeconds(30),
                    () -> {
                      int run = probes.incrementAndGet();
                      if (run > 1) {
                        release.await();
                      }
                      return HealthStatus.up("run " + run);
                    }));
    HealthReport first = checks.run(Duration.ofMinutes(1));
    Thread.sleep(5);
    java.util.List<HealthReport> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (var callers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 1_000; i++) {
        callers.submit(() -> answers.add(checks.run(Duration.ofMillis(1))));
      }
    }
    // Every caller was answered while the refresh was still held inside its probe.
    assertThat(answers).hasSize(1_000).allSatisfy(r -> assertThat(r).isSameAs(first));
    assertThat(probes.get()).isLessThanOrEqualTo(2);
    release.countDown();
    assertThat(reportAfterRefresh(checks, "run 2").components().getFirst().detail())
        .isEqualTo("run 2");
    assertThat(probes).hasValue(2);
  }

  /** Polls until the background refresh has replaced the report (bounded; no timing asserted). */
  private static HealthReport reportAfterRefresh(HealthChecks checks, String detail)
      throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      HealthReport report = checks.run(Duration.ofMinutes(1));
      if (report.components().getFirst().detail().equals(detail)) {
        return report;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the report was not refreshed to '" + detail + "'");
  }
}
