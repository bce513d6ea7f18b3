package ai.sophia.search;

import java.util.List;

/** A web (or local) search engine. Implementations are thread-safe. */
public interface SearchProvider {
  /** The engine name used in requests and responses: duckduckgo, searxng, serper, ... */
  String name();

  /** False when the provider lacks what it needs (an API key, a base URL) and must be skipped. */
  boolean configured();

  /**
   * Up to {@code limit} results for {@code query}.
   *
   * @throws SearchException when the provider is unreachable, refuses, or rate-limits us
   */
  List<SearchHit> search(String query, int limit);

  /**
   * Like {@link #search}, and also the results that were rejected and why. Providers that parse
   * untrusted answers override it; the default rejects nothing.
   */
  default SearchResults results(String query, int limit) {
    return new SearchResults(search(query, limit), List.of());
  }

  /**
   * Whether the router may cache this provider's results. Web engines may; an index that changes on
   * every ingest (local) should say no.
   */
  default boolean cacheable() {
    return true;
  }
}
