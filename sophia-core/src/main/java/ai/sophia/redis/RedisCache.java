package ai.sophia.redis;

import ai.sophia.cache.SharedCache;
import ai.sophia.cache.ValueCodec;
import ai.sophia.error.UnavailableException;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SharedCache} in Redis, the level behind each node's own cache when {@code redis.url} is
 * set. Design note: an entry is stored under {@code <namespace>:<SHA-256 of its id>}, so neither a
 * question nor a URL is readable in Redis, and expires after {@code ttl} ({@code
 * cache.ttl_minutes}). At most {@code maxBytes} are read back (GETRANGE), and a value longer than
 * that, empty, or that its codec does not recognise is a miss, as is Redis being gone: {@link #get}
 * and {@link #put} never throw, and the caller computes the value itself.
 */
public final class RedisCache<V> implements SharedCache<V> {
  private final Redis redis;
  private final String namespace;
  private final ValueCodec<V> codec;
  private final int maxBytes;
  private final Duration ttl;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();

  public RedisCache(
      Redis redis, String namespace, ValueCodec<V> codec, int maxBytes, Duration ttl) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.codec = Objects.requireNonNull(codec, "codec");
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1");
    }
    this.maxBytes = maxBytes;
    this.ttl = Objects.requireNonNull(ttl, "ttl");
  }

  @Override
  public Optional<V> get(String id) {
    String key = key(id);
    byte[] stored;
    try {
      // One byte past the cap, to tell a value at the cap from a longer one.
      stored = redis.call(c -> c.getrange(key, 0, maxBytes));
    } catch (UnavailableException e) {
      misses.incrementAndGet();
      return Optional.empty();
    }
    if (stored == null || stored.length == 0) {
      misses.incrementAndGet();
      return Optional.empty();
    }
    Optional<V> value = stored.length > maxBytes ? Optional.empty() : decodeQuietly(stored);
    if (value.isEmpty()) {
      unreadable.incrementAndGet();
      misses.incrementAndGet();
      return value;
    }
    hits.incrementAndGet();
    return value;
  }

  @Override
  public void put(String id, V value) {
    Objects.requireNonNull(value, "value");
    byte[] bytes = codec.encode(value);
    if (bytes.length > maxBytes) {
      return; // the others could not read it back
    }
    String key = key(id);
    try {
      redis.call(c -> c.set(key, bytes, SetArgs.Builder.px(ttl.toMillis())));
    } catch (UnavailableException e) {
      // not shared this time; the next node to ask computes it again
    }
  }

  /** Reads answered from Redis. */
  public long hits() {
    return hits.get();
  }

  /** Reads that found nothing usable (absent, unreadable, or Redis gone). */
  public long misses() {
    return misses.get();
  }

  /** Misses where Redis held something this codec did not recognise, or too long a value. */
  public long unreadable() {
    return unreadable.get();
  }

  /** The Redis key of {@code id}. */
  String key(String id) {
    return redis.key(namespace, digest(Objects.requireNonNull(id, "id")));
  }

  private Optional<V> decodeQuietly(byte[] stored) {
    try {
      return codec.decode(stored);
    } catch (RuntimeException e) {
      // A codec that throws still must not fail the request.
      return Optional.empty();
    }
  }

  private static String digest(String id) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
