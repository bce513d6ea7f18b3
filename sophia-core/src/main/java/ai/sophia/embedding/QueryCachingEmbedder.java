package ai.sophia.embedding;

import com.github.benmanes.caffeine.cache.Cache;
import java.util.List;
import java.util.Objects;

/**
 * Remembers query embeddings: one research request embeds its question more than once (the local
 * engine's search, then the ranking), and people repeat questions. Passages are not cached; they
 * are embedded once, when indexed.
 */
public final class QueryCachingEmbedder implements Embedder {
  private final Embedder delegate;
  private final Cache<String, float[]> queries;

  public QueryCachingEmbedder(Embedder delegate, Cache<String, float[]> queries) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.queries = Objects.requireNonNull(queries, "queries");
  }

  @Override
  public String model() {
    return delegate.model();
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  @Override
  public float[] embedQuery(String query) {
    // Callers get a copy: a vector handed out must not be able to change the cached one.
    return queries.get(query, delegate::embedQuery).clone();
  }

  @Override
  public List<float[]> embedPassages(List<String> passages) {
    return delegate.embedPassages(passages);
  }
}
