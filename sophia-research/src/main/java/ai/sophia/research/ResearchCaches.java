package ai.sophia.research;

import ai.sophia.cache.SharedCache;
import ai.sophia.config.SophiaConfig;
import ai.sophia.redis.Redis;
import ai.sophia.redis.RedisCache;
import ai.sophia.search.SearchResults;
import java.time.Duration;
import java.util.Objects;

/**
 * The levels of research's caches that nodes share, behind each node's own: search engines' results
 * and fetched pages. The composition root picks {@link #local()} (one node) or {@link #redis}
 * ({@code redis.url}).
 */
public record ResearchCaches(SharedCache<SearchResults> searches, SharedCache<SharedPage> pages) {
  /** Larger than any engine's page of results; a longer value is not shared. */
  static final int SEARCH_MAX_BYTES = 256 * 1024;

  public ResearchCaches {
    Objects.requireNonNull(searches, "searches");
    Objects.requireNonNull(pages, "pages");
  }

  /** Nothing shared: each node keeps its own. */
  public static ResearchCaches local() {
    return new ResearchCaches(SharedCache.none(), SharedCache.none());
  }

  /**
   * Shared through {@code redis} for {@code cache.ttl_minutes}; a page read back is at most {@code
   * research.fetch.max_bytes}, as a fetched body is.
   */
  public static ResearchCaches redis(Redis redis, SophiaConfig config) {
    Duration ttl = Duration.ofMinutes(config.cache().ttlMinutes());
    int pageBytes = config.research().fetch().maxBytes();
    return new ResearchCaches(
        new RedisCache<>(redis, "search", SearchResults.codec(), SEARCH_MAX_BYTES, ttl),
        new RedisCache<>(redis, "page", SharedPage.codec(pageBytes), pageBytes, ttl));
  }
}
