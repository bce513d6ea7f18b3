package ai.sophia.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket per API key: {@code burst} tokens at most, refilled at {@code perSecond}; each
 * request takes one. Idle buckets are dropped once they would have refilled completely, which loses
 * nothing, so memory stays bounded by the keys active recently.
 */
final class RateLimiter {
  /** The outcome for one request: allowed or not, tokens left, and when a token is next due. */
  record Decision(boolean allowed, int remaining, Duration retryAfter) {}

  private final double perSecond;
  private final int burst;
  private final LongSupplier nanoClock;
  private final Cache<String, Bucket> buckets;

  RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
    long refillSeconds = (long) Math.ceil(burst / perSecond) + 1;
    this.buckets =
        Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofSeconds(Math.max(60, refillSeconds)))
            .maximumSize(100_000)
            .build();
  }

  int burst() {
    return burst;
  }

  Decision acquire(String key) {
    Bucket bucket = buckets.get(key, k -> new Bucket(burst, nanoClock.getAsLong()));
    return bucket.take(nanoClock.getAsLong());
  }

  private final class Bucket {
    private double tokens;
    private long refilledAt;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.refilledAt = now;
    }

    synchronized Decision take(long now) {
      double elapsedSeconds = Math.max(0, now - refilledAt) / 1e9;
      tokens = Math.min(burst, tokens + elapsedSeconds * perSecond);
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return new Decision(true, (int) Math.floor(tokens), Duration.ZERO);
      }
      long waitNanos = (long) Math.ceil((1 - tokens) / perSecond * 1e9);
      return new Decision(false, 0, Duration.ofNanos(waitNanos));
    }
  }
}
