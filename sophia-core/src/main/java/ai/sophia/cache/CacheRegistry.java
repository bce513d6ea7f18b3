package ai.sophia.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates Sophia's in-process caches (Caffeine, with statistics on) and reports their combined hit
 * ratio for /api/v1/system/stats and /metrics.
 */
public final class CacheRegistry {
  private final Map<String, Cache<?, ?>> caches = new ConcurrentHashMap<>();

  public static CacheRegistry create() {
    return new CacheRegistry();
  }

  /** A new named cache bounded by entry count and time since write. */
  public <K, V> Cache<K, V> create(String name, long maxEntries, Duration ttl) {
    Objects.requireNonNull(name, "name");
    Cache<K, V> cache =
        Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).recordStats().build();
    if (caches.putIfAbsent(name, cache) != null) {
      throw new IllegalArgumentException("cache '" + name + "' exists already");
    }
    return cache;
  }

  /** Statistics per cache, by name. */
  public Map<String, CacheStats> stats() {
    Map<String, CacheStats> out = new TreeMap<>();
    caches.forEach((name, cache) -> out.put(name, cache.stats()));
    return out;
  }

  /** Hits over requests across all caches; 0 when nothing was asked yet. */
  public double hitRatio() {
    long hits = 0;
    long requests = 0;
    for (Cache<?, ?> cache : caches.values()) {
      CacheStats s = cache.stats();
      hits += s.hitCount();
      requests += s.requestCount();
    }
    return requests == 0 ? 0.0 : (double) hits / requests;
  }
}
