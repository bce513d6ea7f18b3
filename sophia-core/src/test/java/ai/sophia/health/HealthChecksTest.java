package ai.sophia.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthChecksTest {
  private static HealthCheck check(
      String name, Duration timeout, boolean critical, HealthProbe probe) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Duration timeout() {
        return timeout;
      }

      @Override
      public boolean critical() {
        return critical;
      }

      @Override
      public HealthStatus check() throws Exception {
        return probe.run();
      }
    };
  }

  interface HealthProbe {
    HealthStatus run() throws Exception;
  }

  @Test
  void run_hungCheck_isDownWithinItsTimeoutNotTheHang() {
    HealthChecks checks =
        HealthChecks.create()
            .register(check("fast", Duration.ofSeconds(1), true, () -> HealthStatus.up("ok")))
            .register(
                check(
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
                check(
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
}
