package ai.sophia.memory;

import java.util.Objects;

/**
 * A passage of a document, the unit of retrieval. {@code vector} is the passage's embedding
 * (normalized); {@code position} is its order in the document.
 */
public record Chunk(
    String id,
    String collection,
    String url,
    String title,
    int position,
    String text,
    float[] vector) {
  public Chunk {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(vector, "vector");
    title = title == null ? "" : title;
  }
}
