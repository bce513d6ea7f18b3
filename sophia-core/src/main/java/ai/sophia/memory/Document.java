package ai.sophia.memory;

import java.time.Instant;
import java.util.Objects;

/**
 * A whole page or file Sophia has read: ingested documents (collection {@code documents}) and pages
 * fetched during research (collection {@code research_data}).
 */
public record Document(
    String url,
    String collection,
    String title,
    String text,
    String contentHash,
    String publishedDate,
    Instant fetchedAt) {
  public Document {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(text, "text");
    title = title == null ? "" : title;
    publishedDate = publishedDate == null ? "" : publishedDate;
    Objects.requireNonNull(contentHash, "contentHash");
    Objects.requireNonNull(fetchedAt, "fetchedAt");
  }
}
