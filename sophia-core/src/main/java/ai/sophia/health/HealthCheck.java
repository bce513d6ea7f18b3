package ai.sophia.health;

import java.time.Duration;

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
}
