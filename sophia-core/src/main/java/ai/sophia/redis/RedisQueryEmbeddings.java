package ai.sophia.redis;

import ai.sophia.embedding.Embedder;
import ai.sophia.error.UnavailableException;
import io.lettuce.core.SetArgs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Query embeddings shared by every node through Redis: a question one node embedded is a GET away
 * on the others (BENCHMARKS.md: well under a millisecond against several for the model). Keyed by
 * the model and the SHA-256 of the query, so the text of a question is not kept in Redis; kept for
 * {@code cache.ttl_minutes}. When Redis is gone the query is embedded here, as without Redis.
 * Passages are not shared: they are embedded once, when indexed. {@code QueryCachingEmbedder}'s
 * in-process cache sits in front, so a node asks Redis only for questions it has not seen.
 */
public final class RedisQueryEmbeddings implements Embedder {
  private final Embedder delegate;
  private final Redis redis;
  private final Duration ttl;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  public RedisQueryEmbeddings(Embedder delegate, Redis redis, Duration ttl) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.redis = Objects.requireNonNull(redis, "redis");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
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
    String key = redis.key("emb", delegate.model(), digest(query));
    try {
      byte[] stored = redis.call(c -> c.get(key));
      if (stored != null && stored.length == dimension() * Float.BYTES) {
        hits.incrementAndGet();
        return decode(stored);
      }
    } catch (UnavailableException e) {
      // Redis is gone: embed here, as a single node would
    }
    misses.incrementAndGet();
    float[] vector = delegate.embedQuery(query);
    try {
      redis.call(c -> c.set(key, encode(vector), SetArgs.Builder.px(ttl.toMillis())));
    } catch (UnavailableException e) {
      // not shared this time; the next node to ask embeds it again
    }
    return vector;
  }

  @Override
  public List<float[]> embedPassages(List<String> passages) {
    return delegate.embedPassages(passages);
  }

  /** Queries found in Redis, embedded by another node or by this one earlier. */
  public long hits() {
    return hits.get();
  }

  /** Queries embedded here (not in Redis, or Redis gone). */
  public long misses() {
    return misses.get();
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

  private static String digest(String query) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(query.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
