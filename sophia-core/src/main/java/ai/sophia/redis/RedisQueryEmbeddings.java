package ai.sophia.redis;

import ai.sophia.cache.ValueCodec;
import ai.sophia.embedding.Embedder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Query embeddings shared by every node through Redis: a question one node embedded is a GET away
 * on the others (BENCHMARKS.md: well under a millisecond against several for the model). Keyed by
 * the model and the SHA-256 of the query, so the text of a question is not kept in Redis; kept for
 * {@code cache.ttl_minutes} ({@link RedisCache}). When Redis is gone the query is embedded here, as
 * without Redis. Passages are not shared: they are embedded once, when indexed. {@code
 * QueryCachingEmbedder}'s in-process cache sits in front, so a node asks Redis only for questions
 * it has not seen.
 */
public final class RedisQueryEmbeddings implements Embedder {
  private final Embedder delegate;
  private final RedisCache<float[]> vectors;

  public RedisQueryEmbeddings(Embedder delegate, Redis redis, Duration ttl) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    int bytes = delegate.dimension() * Float.BYTES;
    this.vectors =
        new RedisCache<>(redis, "emb:" + delegate.model(), codec(delegate.dimension()), bytes, ttl);
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
    Optional<float[]> shared = vectors.get(query);
    if (shared.isPresent()) {
      return shared.get();
    }
    float[] vector = delegate.embedQuery(query);
    vectors.put(query, vector);
    return vector;
  }

  @Override
  public List<float[]> embedPassages(List<String> passages) {
    return delegate.embedPassages(passages);
  }

  /** Queries found in Redis, embedded by another node or by this one earlier. */
  public long hits() {
    return vectors.hits();
  }

  /** Queries embedded here (not in Redis, or Redis gone). */
  public long misses() {
    return vectors.misses();
  }

  /** Little-endian floats; any other length than {@code dimension} of them is not ours. */
  static ValueCodec<float[]> codec(int dimension) {
    return new ValueCodec<>() {
      @Override
      public byte[] encode(float[] vector) {
        return RedisQueryEmbeddings.encode(vector);
      }

      @Override
      public Optional<float[]> decode(byte[] bytes) {
        return bytes.length == dimension * Float.BYTES
            ? Optional.of(RedisQueryEmbeddings.decode(bytes))
            : Optional.empty();
      }
    };
  }

  static byte[] encode(float[] vector) {
    ByteBuffer out =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    out.asFloatBuffer().put(vector);
    return out.array();
  }

  static float[] decode(byte[] bytes) {
    float[] vector = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
    return vector;
  }
}
