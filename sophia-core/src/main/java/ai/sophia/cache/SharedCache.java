package ai.sophia.cache;

import java.util.Optional;

/**
 * The cache level several nodes share, behind each node's own in-process cache: a value one node
 * computed (a query embedding, a search engine's results, a fetched page) is read by the others.
 * The composition root chooses it: {@link #none()} on one node, Redis with {@code redis.url}.
 *
 * <p>Never throws: a shared level that is gone, slow, or holds something unreadable answers a miss,
 * and the caller computes the value itself as a single node would.
 */
public interface SharedCache<V> {
  /** The value stored under {@code id}, or empty (absent, unreadable, or the level is gone). */
  Optional<V> get(String id);

  /** Stores {@code value} under {@code id} for the others, if the level is there to take it. */
  void put(String id, V value);

  /** No shared level: every node keeps its own. */
  static <V> SharedCache<V> none() {
    return new SharedCache<>() {
      @Override
      public Optional<V> get(String id) {
        return Optional.empty();
      }

      @Override
      public void put(String id, V value) {
        // nothing to share with
      }
    };
  }
}
