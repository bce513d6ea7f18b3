package ai.sophia.research;

import ai.sophia.cache.ValueCodec;
import ai.sophia.web.ExtractedPage;
import ai.sophia.web.FetchedPage;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A web page as research shares it between nodes ({@code SharedCache}): its readable text as
 * extracted (not the raw body), and every URL its fetch requested ({@code hops}, the search hit's
 * URL first, redirects after), so that the node reading it can check each against its own address
 * rules before using it. Bounded by the shared level's size cap ({@code research.fetch.max_bytes}).
 */
public record SharedPage(
    int version, List<String> hops, String url, String title, String text, String publishedDate) {
  static final int VERSION = 1;
  private static final int MAX_HOPS = 32;

  public SharedPage {
    if (version != VERSION) {
      throw new IllegalArgumentException("shared page version " + version + " is not " + VERSION);
    }
    hops = List.copyOf(hops);
    if (hops.isEmpty() || hops.size() > MAX_HOPS) {
      throw new IllegalArgumentException("a shared page needs 1 to " + MAX_HOPS + " hops");
    }
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(publishedDate, "publishedDate");
  }

  /** The page as fetched and extracted on this node. */
  public static SharedPage of(FetchedPage fetched, ExtractedPage extracted) {
    return new SharedPage(
        VERSION,
        fetched.hops().stream().map(URI::toString).toList(),
        extracted.canonicalUrl(),
        extracted.title(),
        extracted.text(),
        extracted.publishedDate());
  }

  /** JSON, read back with limits: any other shape or version is a miss. */
  public static ValueCodec<SharedPage> codec(int maxBytes) {
    return ValueCodec.json(SharedPage.class, maxBytes);
  }
}
