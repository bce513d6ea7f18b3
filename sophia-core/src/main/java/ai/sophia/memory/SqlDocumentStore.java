package ai.sophia.memory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link DocumentStore} in the {@code documents} table, keyed by (collection, url). */
public final class SqlDocumentStore implements DocumentStore {
  private static final String COLUMNS =
      "collection, url, title, text, content_hash, published_date, fetched_at";

  private final Database db;

  public SqlDocumentStore(Database database) {
    this.db = Objects.requireNonNull(database, "database");
  }

  /**
   * One statement, so concurrent upserts of the same URL cannot interleave. A document whose
   * content hash, title and date are unchanged is left alone (its {@code fetchedAt} stays the time
   * this content was first seen), and the method returns false.
   */
  @Override
  public boolean upsert(Document d) {
    Objects.requireNonNull(d, "document");
    int changed =
        db.withHandle(
            h ->
                h.createUpdate(
                        "INSERT INTO documents ("
                            + COLUMNS
                            + ") VALUES (:collection, :url, :title, :text, :hash, :published, :at)"
                            + " ON CONFLICT (collection, url) DO UPDATE SET"
                            + " title = excluded.title, text = excluded.text,"
                            + " content_hash = excluded.content_hash,"
                            + " published_date = excluded.published_date,"
                            + " fetched_at = excluded.fetched_at"
                            + " WHERE documents.content_hash <> excluded.content_hash"
                            + " OR documents.title <> excluded.title"
                            + " OR documents.published_date <> excluded.published_date")
                    .bind("collection", d.collection())
                    .bind("url", d.url())
                    .bind("title", d.title())
                    .bind("text", d.text())
                    .bind("hash", d.contentHash())
                    .bind("published", d.publishedDate())
                    .bind("at", d.fetchedAt().toEpochMilli())
                    .execute());
    return changed > 0;
  }

  @Override
  public Optional<Document> find(String collection, String url) {
    return one("collection = :collection AND url = :key", collection, url);
  }

  /** The first such document in URL order, so the answer is stable. */
  @Override
  public Optional<Document> findByHash(String collection, String contentHash) {
    return one("collection = :collection AND content_hash = :key", collection, contentHash);
  }

  private Optional<Document> one(String where, String collection, String key) {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(key, "key");
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM documents WHERE "
                        + where
                        + " ORDER BY url LIMIT 1")
                .bind("collection", collection)
                .bind("key", key)
                .map(SqlDocumentStore::row)
                .findOne());
  }

  @Override
  public long count(String collection) {
    Objects.requireNonNull(collection, "collection");
    return db.withHandle(
        h ->
            h.createQuery("SELECT COUNT(*) FROM documents WHERE collection = :collection")
                .bind("collection", collection)
                .mapTo(Long.class)
                .one());
  }

  @Override
  public List<Document> page(String collection, String afterUrl, int limit) {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(afterUrl, "afterUrl");
    Limits.check(limit);
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + COLUMNS
                        + " FROM documents WHERE collection = :collection AND url > :after"
                        + " ORDER BY url LIMIT :n")
                .bind("collection", collection)
                .bind("after", afterUrl)
                .bind("n", limit)
                .map(SqlDocumentStore::row)
                .list());
  }

  @Override
  public boolean delete(String collection, String url) {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(url, "url");
    return db.withHandle(
            h ->
                h.createUpdate(
                        "DELETE FROM documents WHERE collection = :collection AND url = :url")
                    .bind("collection", collection)
                    .bind("url", url)
                    .execute())
        > 0;
  }

  private static Document row(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Document(
        rs.getString("url"),
        rs.getString("collection"),
        rs.getString("title"),
        rs.getString("text"),
        rs.getString("content_hash"),
        rs.getString("published_date"),
        Instant.ofEpochMilli(rs.getLong("fetched_at")));
  }
}
