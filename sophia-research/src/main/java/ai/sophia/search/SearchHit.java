package ai.sophia.search;

import java.util.Objects;

/** One result from a search provider, in the provider's order ({@code rank} from 1). */
public record SearchHit(String url, String title, String snippet, String provider, int rank) {
  public SearchHit {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(provider, "provider");
    title = title == null ? "" : title;
    snippet = snippet == null ? "" : snippet;
  }
}
