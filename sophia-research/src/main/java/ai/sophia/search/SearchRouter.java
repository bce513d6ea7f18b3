package ai.sophia.search;

import ai.sophia.cache.CacheRegistry;
import ai.sophia.cache.SharedCache;
import ai.sophia.config.SophiaConfig;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import com.github.benmanes.caffeine.cache.Cache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses who answers a search: the requested engine first, then the configured fallbacks in order,
 * until one returns at least one hit. Every engine considered is reported as an {@link Attempt}, so
 * a response can say which provider served and why others did not. Results are cached per (engine,
 * query, limit) for engines that allow it: in this node's cache, and behind it in the level other
 * nodes share ({@link SharedCache}, Redis with {@code redis.url}), so an engine is asked once for
 * the whole cluster. Thread-safe.
 */
public final class SearchRouter {
  private static final Logger LOG = LoggerFactory.getLogger(SearchRouter.class);

  /** What happened when an engine was tried. Lower-case: these are the wire values. */
  public enum Outcome {
    ok,
    empty,
    blocked,
    failed,
    skipped
  }

  /** One engine considered for a search. */
  public record Attempt(String engine, Outcome outcome, String detail) {}

  /**
   * The outcome of a routed search: the engine that served ("" when none did), its hits, the
   * results the engines answered but could not use ({@code "<url>: <reason>"}), and every attempt
   * in order. No hits is not an error: the attempts say why.
   */
  public record Routed(
      String engine, List<SearchHit> hits, List<String> rejected, List<Attempt> attempts) {
    public Routed {
      hits = List.copyOf(hits);
      rejected = List.copyOf(rejected);
      attempts = List.copyOf(attempts);
    }

    public boolean served() {
      return !hits.isEmpty();
    }
  }

  private record Key(String engine, String query, int limit) {}

  /** The last real call to an engine (cache hits do not count) and when it happened. */
  private record Seen(Attempt attempt, Instant at) {}

  private final Map<String, Seen> last = new ConcurrentHashMap<>();

  private final Map<String, SearchProvider> providers;
  private final List<String> fallbacks;
  private final Cache<Key, SearchResults> cache;
  private final SharedCache<SearchResults> shared;

  private SearchRouter(
      Map<String, SearchProvider> providers,
      List<String> fallbacks,
      Cache<Key, SearchResults> cache,
      SharedCache<SearchResults> shared) {
    this.providers = Map.copyOf(providers);
    this.fallbacks = List.copyOf(fallbacks);
    this.cache = cache;
    this.shared = shared;
  }

  /**
   * A router over {@code providers} (by engine name, including {@code local} when there is one),
   * falling back in {@code fallbackOrder}; its cache is registered in {@code caches} as {@code
   * search}, with {@code shared} behind it ({@link SharedCache#none()} on one node).
   */
  public static SearchRouter create(
      Map<String, SearchProvider> providers,
      List<String> fallbackOrder,
      CacheRegistry caches,
      SophiaConfig.Cache cacheConfig,
      SharedCache<SearchResults> shared) {
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(fallbackOrder, "fallbackOrder");
    Objects.requireNonNull(shared, "shared");
    Cache<Key, SearchResults> cache =
        caches.create(
            "search", cacheConfig.searchMaxEntries(), Duration.ofMinutes(cacheConfig.ttlMinutes()));
    return new SearchRouter(providers, fallbackOrder, cache, shared);
  }

  /**
   * One health check per engine for /health, answered from the engine's last real search rather
   * than by calling it: probing paid APIs on every health poll would cost money and rate limits.
   * Not critical: research falls back to other engines.
   */
  public List<HealthCheck> healthChecks() {
    List<HealthCheck> checks = new ArrayList<>();
    for (String name : new java.util.TreeSet<>(providers.keySet())) {
      SearchProvider provider = providers.get(name);
      checks.add(
          HealthCheck.of(
              "search." + name,
              Duration.ofSeconds(1),
              false,
              () -> {
                if (!provider.configured()) {
                  return HealthStatus.up("not configured; skipped by research");
                }
                Seen seen = last.get(name);
                if (seen == null) {
                  return HealthStatus.up("configured; not used since start");
                }
                String detail =
                    "last search "
                        + seen.attempt().outcome()
                        + " at "
                        + seen.at()
                        + ": "
                        + seen.attempt().detail();
                return switch (seen.attempt().outcome()) {
                  case ok, empty, skipped -> HealthStatus.up(detail);
                  case blocked, failed -> HealthStatus.degraded(detail);
                };
              }));
    }
    return checks;
  }

  /**
   * Searches {@code query} on {@code engine}, then on the fallbacks, for up to {@code limit} hits.
   */
  public Routed search(String engine, String query, int limit) {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(query, "query");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    Set<String> order = new LinkedHashSet<>();
    order.add(engine);
    order.addAll(fallbacks);
    String normalized = query.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    List<Attempt> attempts = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    for (String name : order) {
      SearchProvider provider = providers.get(name);
      if (provider == null) {
        attempts.add(new Attempt(name, Outcome.skipped, "not available"));
        continue;
      }
      if (!provider.configured()) {
        attempts.add(new Attempt(name, Outcome.skipped, "not configured"));
        continue;
      }
      Key key = new Key(name, normalized, limit);
      SearchResults cached = provider.cacheable() ? cache.getIfPresent(key) : null;
      if (cached != null) {
        attempts.add(new Attempt(name, Outcome.ok, cached.hits().size() + " results (cached)"));
        rejected.addAll(cached.rejected());
        return new Routed(name, cached.hits(), rejected, attempts);
      }
      Optional<SearchResults> fromOthers =
          provider.cacheable() ? fromOtherNodes(key) : Optional.empty();
      if (fromOthers.isPresent()) {
        SearchResults results = fromOthers.get();
        cache.put(key, results);
        attempts.add(
            new Attempt(name, Outcome.ok, results.hits().size() + " results (shared cache)"));
        rejected.addAll(results.rejected());
        return new Routed(name, results.hits(), rejected, attempts);
      }
      SearchResults results = tryProvider(provider, query, limit, attempts);
      rejected.addAll(results.rejected());
      if (!results.hits().isEmpty()) {
        if (provider.cacheable()) {
          cache.put(key, results);
          shared.put(sharedId(key), results);
        }
        return new Routed(name, results.hits(), rejected, attempts);
      }
    }
    return new Routed("", List.of(), rejected, attempts);
  }

  /**
   * Results another node had from this engine: only a non-empty list, within the limit, whose hits
   * all name this engine (a value in Redis is not trusted to say where its hits came from).
   */
  private Optional<SearchResults> fromOtherNodes(Key key) {
    return shared
        .get(sharedId(key))
        .filter(r -> !r.hits().isEmpty() && r.hits().size() <= key.limit())
        .filter(r -> r.hits().stream().allMatch(h -> h.provider().equals(key.engine())));
  }

  /** The engine, the normalized query and the limit; the shared level keeps only its digest. */
  private static String sharedId(Key key) {
    return key.engine() + "\n" + key.limit() + "\n" + key.query();
  }

  private SearchResults tryProvider(
      SearchProvider provider, String query, int limit, List<Attempt> attempts) {
    int before = attempts.size();
    try {
      return callProvider(provider, query, limit, attempts);
    } finally {
      if (attempts.size() > before) {
        last.put(provider.name(), new Seen(attempts.getLast(), Instant.now()));
      }
    }
  }

  private static SearchResults callProvider(
      SearchProvider provider, String query, int limit, List<Attempt> attempts) {
    String name = provider.name();
    try {
      SearchResults results = provider.results(query, limit);
      List<SearchHit> hits = results.hits();
      List<SearchHit> kept = hits.size() > limit ? hits.subList(0, limit) : hits;
      int rejected = results.rejected().size();
      String note = rejected == 0 ? "" : ", " + rejected + " rejected";
      attempts.add(
          kept.isEmpty()
              ? new Attempt(
                  name, Outcome.empty, (rejected == 0 ? "no" : "no usable") + " results" + note)
              : new Attempt(name, Outcome.ok, kept.size() + " results" + note));
      return new SearchResults(kept, results.rejected());
    } catch (SearchException e) {
      LOG.info("search engine {}: {}", e.blocked() ? "blocked" : "failed", e.getMessage());
      attempts.add(
          new Attempt(name, e.blocked() ? Outcome.blocked : Outcome.failed, e.getMessage()));
      return new SearchResults(List.of(), List.of());
    } catch (RuntimeException e) {
      // A provider bug must not take research down; it is logged with its stack and reported.
      LOG.warn("search engine {} failed unexpectedly", name, e);
      attempts.add(
          new Attempt(name, Outcome.failed, "internal error: " + e.getClass().getSimpleName()));
      return new SearchResults(List.of(), List.of());
    }
  }
}
