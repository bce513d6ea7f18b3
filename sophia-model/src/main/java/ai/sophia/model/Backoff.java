package ai.sophia.model;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Waits between attempts at one model: exponential with full jitter, between {@code initial} and a
 * cap that doubles per retry up to {@code max}; a provider's Retry-After replaces it.
 */
final class Backoff {
  private final long initialMs;
  private final long maxMs;
  private final RandomGenerator random;

  Backoff(long initialMs, long maxMs, RandomGenerator random) {
    this.initialMs = Math.max(0, initialMs);
    this.maxMs = Math.max(this.initialMs, maxMs);
    this.random = random;
  }

  /** The wait before retry number {@code retry} (1 for the second attempt). */
  Duration delay(int retry, Optional<Duration> retryAfter) {
    if (retryAfter.isPresent()) {
      return retryAfter.get();
    }
    long cap = initialMs << Math.min(retry, 20);
    cap = Math.min(maxMs, Math.max(initialMs, cap));
    long ms = cap <= initialMs ? initialMs : random.nextLong(initialMs, cap + 1);
    return Duration.ofMillis(ms);
  }
}
