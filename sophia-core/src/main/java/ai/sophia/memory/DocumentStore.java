package ai.sophia.memory;

import java.util.List;
import java.util.Optional;

/** Whole documents by collection and URL; their chunks live in the {@link DocumentIndex}. */
public interface DocumentStore {
  /** Inserts or replaces the document with the same collection and URL; true if it changed. */
  boolean upsert(Document document);

  Optional<Document> find(String collection, String url);

  /** Finds a document in the collection with the same content hash (deduplication). */
  Optional<Document> findByHash(String collection, String contentHash);

  long count(String collection);

  /** Up to {@code limit} documents, in URL order, after {@code afterUrl} ("" for the start). */
  List<Document> page(String collection, String afterUrl, int limit);

  /** Removes the document with this collection and URL; false when there was none. */
  boolean delete(String collection, String url);
}
