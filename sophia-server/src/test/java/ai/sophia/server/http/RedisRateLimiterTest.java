package ai.sophia.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.redis.Redis;
import ai.sophia.redis.TestRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Two nodes' limiters on one real Redis: one key, one bucket. */
class RedisRateLimiterTest {
  private static Redis connect(Map<String, String> env) {
    return Redis.connect(
        ConfigLoader.create(env).load(Optional.empty()).redis(), Secrets.create(env));
  }

  /** A node's fallback that counts the decisions it was asked for. */
  private static final class CountingLocal implements RateLimiter {
    final LocalRateLimiter local;
    final AtomicInteger asked = new AtomicInteger();

    CountingLocal(double perSecond, int burst) {
      this.local = new LocalRateLimiter(perSecond, burst, System::nanoTime);
    }

    @Override
    public Decision acquire(String key) {
      asked.incrementAndGet();
      return local.acquire(key);
    }

    @Override
    public int burst() {
      return local.burst();
    }

    @Override
    public double perSecond() {
      return local.perSecond();
    }
  }

  @Test
  void acquire_twoNodesHammeringOneKey_allowSummedAtMostTheLimit() throws Exception {
    Map<String, String> env = TestRedis.shared().env();
    double perSecond = 5;
    int burst = 20;
    try (Redis a = connect(env);
        Redis b = connect(env);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<RateLimiter> nodes =
          List.of(
              new RedisRateLimiter(
                  a, perSecond, burst, new CountingLocal(perSecond, burst), System::nanoTime),
              new RedisRateLimiter(
                  b, perSecond, burst, new CountingLocal(perSecond, burst), System::nanoTime));
      // Warm connections, as on a server that has been answering for a while.
      nodes.forEach(node -> node.acquire("warm-up"));
      long started = System.nanoTime();
      List<Future<Boolean>> calls = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        RateLimiter node = nodes.get(i % 2);
        Callable<Boolean> call = () -> node.acquire("key-1").allowed();
        calls.add(pool.submit(call));
      }
      int allowed = 0;
      for (Future<Boolean> call : calls) {
        allowed += call.get() ? 1 : 0;
      }
      double seconds = (System.nanoTime() - started) / 1e9;

      // The burst, plus what refilled while the requests ran; never twice the burst.
      assertThat(allowed).isGreaterThanOrEqualTo(burst);
      assertThat(allowed).isLessThanOrEqualTo(burst + (int) Math.ceil(seconds * perSecond));
      assertThat(seconds).isLessThan(burst / perSecond);
      assertThat(((RedisRateLimiter) nodes.get(0)).fallbacks()).isZero();
      assertThat(((RedisRateLimiter) nodes.get(1)).fallbacks()).isZero();
    }
  }

  @Test
  void acquire_refused_isAnsweredLocallyUntilTheTokenIsDue() throws Exception {
    Map<String, String> env = TestRedis.shared().env();
    try (Redis redis = connect(env)) {
      RedisRateLimiter limiter =
          new RedisRateLimiter(redis, 0.5, 1, new CountingLocal(0.5, 1), System::nanoTime);
      assertThat(limiter.acquire("k").allowed()).isTrue();
      RateLimiter.Decision refused = limiter.acquire("k");
      assertThat(refused.allowed()).isFalse();
      assertThat(refused.retryAfter().toMillis()).isBetween(1_000L, 2_000L);

      // Someone refills the bucket behind this node's back: the node still refuses from memory.
      redis.call(c -> c.del(redis.key("rl", "k")));
      assertThat(limiter.acquire("k").allowed()).isFalse();
    }
  }

  @Test
  void acquire_tokenDueWithManyWaiting_oneRequestAsksRedis() throws Exception {
    TestRedis server = TestRedis.startPrivate();
    Map<String, String> env = server.env();
    try (server;
        Redis redis = connect(env);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      RedisRateLimiter limiter =
          new RedisRateLimiter(redis, 5, 1, new CountingLocal(5, 1), System::nanoTime);
      assertThat(limiter.acquire("k").allowed()).isTrue();
      assertThat(limiter.acquire("k").allowed()).isFalse();
      long before = scriptCalls(redis);
      Thread.sleep(250); // the next token is due after 200 ms

      List<Future<Boolean>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(pool.submit(() -> limiter.acquire("k").allowed()));
      }
      int allowed = 0;
      for (Future<Boolean> call : calls) {
        allowed += call.get() ? 1 : 0;
      }

      assertThat(limiter.fallbacks()).isZero();
      assertThat(allowed).isEqualTo(1);
      // One probe per token due while they ran (a few on a slow machine), not 200.
      assertThat(scriptCalls(redis) - before).isBetween(1L, 5L);
    }
  }

  /** How many times Redis ran a script (EVAL or EVALSHA), from INFO commandstats. */
  private static long scriptCalls(Redis redis) {
    String stats = redis.call(c -> c.info("commandstats"));
    long calls = 0;
    for (String line : stats.split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        calls += Long.parseLong(line.replaceFirst("^[^:]*:calls=(\\d+),.*$", "$1"));
      }
    }
    return calls;
  }

  @Test
  void acquire_redisStoppedThenRestarted_fallsBackPerNodeThenSharesAgain() throws Exception {
    TestRedis server = TestRedis.startPrivate();
    Map<String, String> env = server.env();
    try (server;
        Redis a = connect(env);
        Redis b = connect(env)) {
      CountingLocal localA = new CountingLocal(1, 3);
      RedisRateLimiter nodeA = new RedisRateLimiter(a, 1, 3, localA, System::nanoTime);
      RedisRateLimiter nodeB =
          new RedisRateLimiter(b, 1, 3, new CountingLocal(1, 3), System::nanoTime);

      server.stop();
      long started = System.nanoTime();
      // Fail open per node: A's own bucket decides, never an exception.
      assertThat(nodeA.acquire("k").allowed()).isTrue();
      assertThat(nodeA.acquire("k").allowed()).isTrue();
      assertThat(nodeA.acquire("k").allowed()).isTrue();
      assertThat(nodeA.acquire("k").allowed()).isFalse();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(1_000);
      assertThat(localA.asked).hasValue(4);
      assertThat(nodeA.fallbacks()).isEqualTo(4);

      server.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!a.available() || !b.available()) {
        assertThat(System.nanoTime()).as("reconnected within 10 s").isLessThan(deadline);
        Thread.sleep(50);
      }
      // Shared again: what A takes, B cannot.
      int allowedA = 0;
      for (int i = 0; i < 3; i++) {
        allowedA += nodeA.acquire("k2").allowed() ? 1 : 0;
      }
      assertThat(allowedA).isEqualTo(3);
      assertThat(nodeB.acquire("k2").allowed()).isFalse();
      assertThat(localA.asked).hasValue(4);
    }
  }
}
