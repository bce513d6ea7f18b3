package ai.sophia.memory;

import java.util.List;
import java.util.Objects;

/**
 * A page found by {@link DocumentIndex#searchPages}: its fused relevance {@code score} in [0, 1]
 * (relative to the other candidates), the raw signals behind it, and its best passages, best first.
 */
public record PageHit(
    String url, String title, double score, PageSignals signals, List<ChunkHit> passages) {
  public PageHit {
    Objects.requireNonNull(url, "url");
    title = title == null ? "" : title;
    Objects.requireNonNull(signals, "signals");
    passages = List.copyOf(passages);
  }
}
