package ai.sophia.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A token bucket per API key in this process: {@code burst} tokens at most, refilled at {@code
 * perSecond}; each request takes one. Idle buckets are dropped once they would have refilled
 * completely, which loses nothing, so memory stays bounded by the keys active recently.
 */
final class LocalRateLimiter implements RateLimiter {
  private final double perSecond;
  private final int burst;
  private final LongSupplier nanoClock;
  private final Cache<String, AtomicReference<Level>> buckets;

  LocalRateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
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

  @Override
  public int burst() {
    return burst;
  }

  @Override
  public double perSecond() {
    return perSecond;
  }

  @Override
  public Decision acquire(String key) {
    long now = nanoClock.getAsLong();
    AtomicReference<Level> bucket =
        buckets.get(key, k -> new AtomicReference<>(new Level(burst, now)));
    while (true) {
      Level level = bucket.get();
      double elapsedSeconds = Math.max(0, now - level.at()) / 1e9;
      double tokens = Math.min(burst, level.tokens() + elapsedSeconds * perSecond);
      if (tokens < 1) {
        // Nothing is taken, so nothing is written: a key far over its limit costs no contention.
        long waitNanos = (long) Math.ceil((1 - tokens) / perSecond * 1e9);
        return new Decision(false, 0, Duration.ofNanos(waitNanos));
      }
      if (bucket.compareAndSet(level, new Level(tokens - 1, Math.max(now, level.at())))) {
        return new Decision(true, (int) Math.floor(tokens - 1), Duration.ZERO);
      }
    }
  }

  /**
   * A bucket's tokens as of a moment. Concurrency: each bucket is an atomic reference to an
   * immutable level, replaced by compare-and-set, so thousands of requests of one key never wait on
   * a lock (a monitor with many virtual threads queued on it hands over one at a time).
   */
  private record Level(double tokens, long at) {}
}
