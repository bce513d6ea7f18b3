package ai.sophia.search;

import ai.sophia.cache.ValueCodec;
import java.util.List;

/**
 * What a provider answered: the hits it could use, and each result it had to reject (no URL, not
 * http(s)) as {@code "<url or position>: <reason>"}, so research can list it in {@code
 * sources_skipped} instead of letting it vanish.
 */
public record SearchResults(List<SearchHit> hits, List<String> rejected) {
  public SearchResults {
    hits = List.copyOf(hits);
    rejected = List.copyOf(rejected);
  }

  /** JSON, read back with limits ({@code SharedCache}): any other shape is a miss. */
  public static ValueCodec<SearchResults> codec() {
    return ValueCodec.json(SearchResults.class, 16_384);
  }
}
