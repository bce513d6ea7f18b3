package ai.sophia.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void acquire_burstUsedUp_refusedWithTheWaitForOneToken() {
    LocalRateLimiter limiter = new LocalRateLimiter(2.0, 3, now::get);

    assertThat(limiter.acquire("k").remaining()).isEqualTo(2);
    assertThat(limiter.acquire("k").remaining()).isEqualTo(1);
    assertThat(limiter.acquire("k").remaining()).isZero();
    RateLimiter.Decision refused = limiter.acquire("k");

    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void acquire_timePasses_tokensRefillAtTheRateUpToTheBurst() {
    LocalRateLimiter limiter = new LocalRateLimiter(2.0, 3, now::get);
    for (int i = 0; i < 3; i++) {
      limiter.acquire("k");
    }

    now.addAndGet(Duration.ofMillis(500).toNanos());
    assertThat(limiter.acquire("k").allowed()).isTrue();
    assertThat(limiter.acquire("k").allowed()).isFalse();

    now.addAndGet(Duration.ofMinutes(10).toNanos());
    assertThat(limiter.acquire("k").remaining()).isEqualTo(2);
  }

  @Test
  void acquire_manyThreadsAtOnce_allowExactlyTheBurst() throws Exception {
    LocalRateLimiter limiter = new LocalRateLimiter(1.0, 100, now::get);
    AtomicInteger allowed = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 5_000; i++) {
        threads.submit(
            () -> {
              RateLimiter.Decision decision = limiter.acquire("k");
              if (decision.allowed()) {
                allowed.incrementAndGet();
              } else if (decision.retryAfter().isPositive()) {
                refused.incrementAndGet();
              }
            });
      }
    }
    assertThat(allowed).hasValue(100);
    assertThat(refused).hasValue(4_900);
  }

  @Test
  void acquire_separateKeys_separateBuckets() {
    LocalRateLimiter limiter = new LocalRateLimiter(1.0, 1, now::get);

    assertThat(limiter.acquire("a").allowed()).isTrue();
    assertThat(limiter.acquire("a").allowed()).isFalse();
    assertThat(limiter.acquire("b").allowed()).isTrue();
  }
}
