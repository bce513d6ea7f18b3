package ai.sophia.web;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/** A fetched HTTP resource: where we asked, where we ended after redirects, and its text. */
public record FetchedPage(
    URI requestedUrl,
    URI finalUrl,
    int status,
    String contentType,
    String body,
    Instant fetchedAt) {
  public FetchedPage {
    Objects.requireNonNull(requestedUrl, "requestedUrl");
    Objects.requireNonNull(finalUrl, "finalUrl");
    Objects.requireNonNull(body, "body");
    contentType = contentType == null ? "" : contentType;
    Objects.requireNonNull(fetchedAt, "fetchedAt");
  }
}
