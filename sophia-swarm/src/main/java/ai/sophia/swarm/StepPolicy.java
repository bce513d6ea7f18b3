package ai.sophia.swarm;

import java.time.Duration;
import java.util.Objects;

/**
 * How a step runs: its timeout, how often it is tried in all and the first backoff between tries
 * (doubled each time, with jitter), whether a person must approve it before it runs (the run waits,
 * durably, in {@code waiting_approval}), and whether it has side effects (it is then never retried
 * blindly: a new attempt gets the same idempotency key, and the step's tools must honour it).
 */
public record StepPolicy(
    Duration timeout,
    int maxAttempts,
    Duration backoff,
    boolean needsApproval,
    boolean sideEffects) {
  public StepPolicy {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(backoff, "backoff");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
  }

  public StepPolicy withTimeout(Duration value) {
    return new StepPolicy(value, maxAttempts, backoff, needsApproval, sideEffects);
  }

  public StepPolicy withAttempts(int value) {
    return new StepPolicy(timeout, value, backoff, needsApproval, sideEffects);
  }

  public StepPolicy withApproval() {
    return new StepPolicy(timeout, maxAttempts, backoff, true, sideEffects);
  }

  public StepPolicy withSideEffects() {
    return new StepPolicy(timeout, maxAttempts, backoff, needsApproval, true);
  }
}
