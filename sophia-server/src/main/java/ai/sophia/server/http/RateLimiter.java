package ai.sophia.server.http;

import ai.sophia.config.SophiaConfig;
import ai.sophia.redis.Redis;
import java.time.Duration;

/**
 * Each API key's rate limit: a token bucket of {@link #burst()} tokens refilled at {@link
 * #perSecond()}, one taken per request. {@link #local} keeps the buckets in this process (one
 * node); {@link #redis} keeps them in the Redis every node shares, so a key's limit holds across
 * nodes, falling back to a local bucket while Redis is gone. Chosen in the composition root.
 */
public interface RateLimiter {
  /** The outcome for one request: allowed or not, tokens left, and when a token is next due. */
  record Decision(boolean allowed, int remaining, Duration retryAfter) {}

  /** Takes a token from {@code key}'s bucket if there is one. */
  Decision acquire(String key);

  int burst();

  double perSecond();

  /** Buckets in this process's memory. */
  static RateLimiter local(SophiaConfig.RateLimit limit) {
    return new LocalRateLimiter(limit.requestsPerSecond(), limit.burst(), System::nanoTime);
  }

  /**
   * Buckets in {@code redis}, shared by every node using it; while Redis is gone, each node
   * enforces the limit on its own (fail open per node: the whole cluster may then allow up to the
   * number of nodes times the limit).
   */
  static RateLimiter redis(Redis redis, SophiaConfig.RateLimit limit) {
    return new RedisRateLimiter(
        redis, limit.requestsPerSecond(), limit.burst(), local(limit), System::nanoTime);
  }
}
