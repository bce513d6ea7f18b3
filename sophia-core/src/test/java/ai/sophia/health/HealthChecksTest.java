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
}
