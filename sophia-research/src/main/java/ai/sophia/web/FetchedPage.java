package ai.sophia.web;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A fetched HTTP resource: where we asked, where we ended after redirects, and its text. {@code
 * hops} is every URL requested on the way, in order: the requested one first, the final one last
 * (one entry when nothing redirected).
 */
public record FetchedPage(
    URI requestedUrl,
    URI finalUrl,
    List<URI> hops,
    int status,
    String contentType,
    String body,
    Instant fetchedAt) {
  public FetchedPage {
    Objects.requireNonNull(requestedUrl, "requestedUrl");
    Objects.requireNonNull(finalUrl, "finalUrl");
    hops = hops == null || hops.isEmpty() ? List.of(requestedUrl, finalUrl) : List.copyOf(hops);
    Objects.requireNonNull(body, "body");
    contentType = contentType == null ? "" : contentType;
    Objects.requireNonNull(fetchedAt, "fetchedAt");
  }
}
