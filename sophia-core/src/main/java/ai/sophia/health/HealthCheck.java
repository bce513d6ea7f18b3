package ai.sophia.health;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/** One component's health probe. Runs under its own {@link #timeout()}; may block. */
public interface HealthCheck {
  /** Component name as shown in /health, e.g. {@code store} or {@code search.duckduckgo}. */
  String name();

  /** How long the probe may take before it counts as down. */
  Duration timeout();

  /** Whether a failure of this component makes Sophia as a whole unhealthy. */
  default boolean critical() {
    return true;
  }

  /** Probes the component; throwing counts as down, with the exception's message. */
  HealthStatus check() throws Exception;

  /** A critical check from a name, a timeout and a probe. */
  static HealthCheck of(String name, Duration timeout, Callable<HealthStatus> probe) {
    return of(name, timeout, true, probe);
  }

  /** A check from a name, a timeout, whether it is critical, and a probe. */
  static HealthCheck of(
      String name, Duration timeout, boolean critical, Callable<HealthStatus> probe) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(probe, "probe");
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
        return probe.call();
      }
    };
  }
}
