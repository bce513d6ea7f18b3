package ai.sophia.server.http;

import ai.sophia.error.UnavailableException;
import ai.sophia.redis.Redis;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each key's token bucket in Redis, shared by every node: one Lua script reads the bucket, refills
 * it by the time elapsed on Redis's own clock (so the nodes' clocks do not matter), takes a token
 * if there is one and writes it back, atomically, in one round trip.
 *
 * <p>The 429 path stays local: a refusal says when the next token is due, and until then every
 * node's request for that key would be refused too (refusals take nothing), so this node answers
 * them from memory without asking Redis; when it is due, one request asks (not every request in
 * flight at that moment), so a key far past its limit costs a round trip per token, per node. While
 * Redis is gone ({@link UnavailableException} from {@link Redis#call}, at once) the node's own
 * {@code fallback} bucket decides: fail open per node, never a 5xx; the next request after Redis
 * returns is shared again.
 */
final class RedisRateLimiter implements RateLimiter {
  // KEYS[1] the bucket; ARGV[1] tokens per second, ARGV[2] the burst.
  // Returns {allowed (0|1), tokens left (floor), microseconds until a token is due}.
  static final String SCRIPT =
      """
      local rate = tonumber(ARGV[1])
      local burst = tonumber(ARGV[2])
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
      local state = redis.call('HMGET', KEYS[1], 't', 'at')
      local tokens = tonumber(state[1])
      local at = tonumber(state[2])
      if tokens == nil or at == nil then
        tokens = burst
        at = now
      end
      tokens = math.min(burst, tokens + math.max(0, now - at) / 1000000 * rate)
      if tokens < 1 then
        return {0, 0, math.ceil((1 - tokens) / rate * 1000000)}
      end
      tokens = tokens - 1
      redis.call('HSET', KEYS[1], 't', string.format('%.6f', tokens),
        'at', string.format('%.0f', math.max(now, at)))
      redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
      return {1, math.floor(tokens), 0}
      """;
  private static final String SHA = sha1(SCRIPT);
  private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final UnavailableException GONE =
      new UnavailableException("Redis is unavailable (see redis in /health)");

  private final Redis redis;
  private final int burst;
  private final double perSecond;
  private final RateLimiter fallback;
  private final LongSupplier nanoClock;
  private final byte[][] args;
  private final Cache<String, AtomicLong> refusedUntil;
  private final long nanosPerToken;
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicBoolean alone = new AtomicBoolean();

  RedisRateLimiter(
      Redis redis, double perSecond, int burst, RateLimiter fallback, LongSupplier nanoClock) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
    }
    this.redis = redis;
    this.burst = burst;
    this.perSecond = perSecond;
    this.fallback = fallback;
    this.nanoClock = nanoClock;
    this.args =
        new byte[][] {
          Double.toString(perSecond).getBytes(StandardCharsets.US_ASCII),
          Integer.toString(burst).getBytes(StandardCharsets.US_ASCII)
        };
    this.nanosPerToken = (long) Math.ceil(1e9 / perSecond);
    // A refusal's wait is at most one token's refill time.
    this.refusedUntil =
        Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofNanos(nanosPerToken + 1_000_000_000L))
            .maximumSize(100_000)
            .build();
  }

  @Override
  public Decision acquire(String key) {
    long now = nanoClock.getAsLong();
    AtomicLong refused = refusedUntil.getIfPresent(key);
    if (refused != null) {
      long until = refused.get();
      // Once the wait is over one request asks Redis for the key; the ones arriving meanwhile
      // are refused here: there is about one token to take, and it is that request's.
      if (until - now > 0 || !refused.compareAndSet(until, now + nanosPerToken)) {
        return new Decision(false, 0, Duration.ofNanos(Math.max(0, refused.get() - now)));
      }
    }
    List<Object> reply;
    try {
      if (!redis.available()) {
        // Gone, or paused after a failure: straight to the local bucket, no exception to build.
        throw GONE;
      }
      reply = redis.call(c -> run(c, redis.key("rl", key)));
    } catch (UnavailableException e) {
      fallbacks.incrementAndGet();
      if (alone.compareAndSet(false, true)) {
        log.warn(
            "rate limits are enforced by this node alone until Redis answers again: {}",
            e.getMessage());
      }
      refusedUntil.invalidate(key);
      return fallback.acquire(key);
    }
    if (alone.compareAndSet(true, false)) {
      log.info("Redis answers again: rate limits are shared by the nodes");
    }
    boolean allowed = ((Long) reply.get(0)) == 1L;
    int remaining = (int) (long) (Long) reply.get(1);
    Duration wait = Duration.ofNanos((Long) reply.get(2) * 1_000);
    if (allowed && remaining == 0) {
      // The last token went to this request: the next is due within one token's time, so the
      // requests arriving meanwhile are refused here rather than each asking Redis.
      refusedUntil.get(key, k -> new AtomicLong()).set(now + nanosPerToken);
    } else if (allowed) {
      refusedUntil.invalidate(key);
    } else {
      refusedUntil.get(key, k -> new AtomicLong()).set(now + wait.toNanos());
    }
    return new Decision(allowed, remaining, wait);
  }

  @Override
  public int burst() {
    return burst;
  }

  @Override
  public double perSecond() {
    return perSecond;
  }

  /** Decisions this node took alone because Redis was gone. */
  long fallbacks() {
    return fallbacks.get();
  }

  private List<Object> run(
      io.lettuce.core.api.sync.RedisCommands<String, byte[]> c, String bucket) {
    String[] keys = {bucket};
    try {
      return c.evalsha(SHA, ScriptOutputType.MULTI, keys, args);
    } catch (RedisNoScriptException e) {
      // A restarted Redis has forgotten the script: EVAL loads it again.
      return c.eval(SCRIPT, ScriptOutputType.MULTI, keys, args);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }
}
