package ai.sophia.embedding;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.UnavailableException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Embedder} running a sentence-embedding model in process with ONNX Runtime. The models ship
 * inside LangChain4j's Maven artifacts, so nothing is downloaded at run time.
 *
 * <p>The model (about 130 MB for bge-small and e5-small, 90 MB for MiniLM) is loaded on first use,
 * once; a caller that wants no first-request delay calls {@link #load()} at start-up. Passages are
 * embedded in padded batches of similar length, one ONNX call per batch, with ONNX Runtime using
 * every core ({@link BertEncoder}); the vectors equal LangChain4j's one-text-per-call ones.
 */
public final class OnnxEmbedder implements Embedder {
  private static final Logger log = LoggerFactory.getLogger(OnnxEmbedder.class);
  private static final int DIMENSION = 384;
  // bge's authors recommend this instruction for short queries against passages.
  private static final String BGE_QUERY_PREFIX =
      "Represent this sentence for searching relevant passages: ";
  // e5 was trained with both sides marked; without the marks its vectors lose quality.
  private static final String E5_QUERY_PREFIX = "query: ";
  private static final String E5_PASSAGE_PREFIX = "passage: ";

  // Windows per ONNX call and padded positions per call: measured best on 2 cores (EmbedderSpeed).
  private static final int BATCH_ROWS = 16;
  private static final int BATCH_TOKENS = 8192;

  /** The models this embedder runs, as {@code embedding.model} names them. */
  public static final List<String> MODELS =
      List.of("all-minilm-l6-v2", "bge-small-en-v1.5", "e5-small-v2");

  private final String model;
  private final Spec spec;
  private volatile BertEncoder loaded;

  private OnnxEmbedder(String model, Spec spec) {
    this.model = model;
    this.spec = spec;
  }

  /**
   * An embedder for {@code all-minilm-l6-v2}, {@code bge-small-en-v1.5} or {@code e5-small-v2};
   * nothing loads yet.
   */
  public static OnnxEmbedder create(String modelName) {
    Objects.requireNonNull(modelName, "modelName");
    return new OnnxEmbedder(modelName, spec(modelName));
  }

  /**
   * Model file (a resource in the LangChain4j model jar), pooling, and the text put in front of a
   * query and of a passage before embedding.
   */
  private record Spec(
      String file, BertEncoder.Pooling pooling, String queryPrefix, String passagePrefix) {}

  private static Spec spec(String modelName) {
    return switch (modelName) {
      case "bge-small-en-v1.5" ->
          new Spec("bge-small-en-v1.5", BertEncoder.Pooling.CLS, BGE_QUERY_PREFIX, "");
      case "all-minilm-l6-v2" -> new Spec("all-minilm-l6-v2", BertEncoder.Pooling.MEAN, "", "");
      case "e5-small-v2" ->
          new Spec("e5-small-v2", BertEncoder.Pooling.MEAN, E5_QUERY_PREFIX, E5_PASSAGE_PREFIX);
      default ->
          throw new InvalidInputException(
              "embedding.model", "embedding.model '" + modelName + "' is not one of " + MODELS);
    };
  }

  /** Loads the encoder for a model name now (tests compare it with LangChain4j's). */
  static BertEncoder encoder(String modelName) {
    Spec spec = spec(modelName);
    return BertEncoder.load(
        spec.file + ".onnx",
        spec.file + "-tokenizer.json",
        spec.pooling,
        Runtime.getRuntime().availableProcessors(),
        BATCH_ROWS,
        BATCH_TOKENS);
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  /** Whether the model is in memory already. */
  public boolean loaded() {
    return loaded != null;
  }

  /** Loads the model now if it is not loaded yet; safe to call from several threads. */
  public void load() {
    encoder();
  }

  @Override
  public float[] embedQuery(String query) {
    Objects.requireNonNull(query, "query");
    if (query.isBlank()) {
      throw new InvalidInputException("query", "query is blank");
    }
    return normalized(encoder().embed(List.of(spec.queryPrefix + query)).get(0));
  }

  @Override
  public List<float[]> embedPassages(List<String> passages) {
    Objects.requireNonNull(passages, "passages");
    if (passages.isEmpty()) {
      return List.of();
    }
    for (int i = 0; i < passages.size(); i++) {
      String passage = passages.get(i);
      if (passage == null || passage.isBlank()) {
        throw new InvalidInputException("passages[" + i + "]", "passage " + i + " is blank");
      }
    }
    List<String> texts =
        spec.passagePrefix.isEmpty()
            ? passages
            : passages.stream().map(passage -> spec.passagePrefix + passage).toList();
    return encoder().embed(texts).stream().map(OnnxEmbedder::normalized).toList();
  }

  /**
   * Health of the embedder: embeds a short text. Allows 10 s while the model still has to load (the
   * probe loads it), 2 s after.
   */
  public HealthCheck healthCheck() {
    return new HealthCheck() {
      @Override
      public String name() {
        return "embeddings";
      }

      @Override
      public Duration timeout() {
        return loaded() ? Duration.ofSeconds(2) : Duration.ofSeconds(10);
      }

      @Override
      public HealthStatus check() {
        float[] vector = embedQuery("health check");
        return HealthStatus.up(model, Map.of("dimension", vector.length));
      }
    };
  }

  private BertEncoder encoder() {
    BertEncoder current = loaded;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (loaded == null) {
        long started = System.nanoTime();
        try {
          loaded = encoder(model);
        } catch (RuntimeException | LinkageError e) {
          throw new UnavailableException(
              "embedding model " + model + " could not be loaded: " + e, e);
        }
        log.info(
            "embedding model {} ready in {} ms", model, (System.nanoTime() - started) / 1_000_000);
      }
      return loaded;
    }
  }

  /** The encoder normalizes already; this keeps the unit-length contract whatever it does. */
  private static float[] normalized(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    double norm = Math.sqrt(sum);
    if (norm == 0 || Math.abs(norm - 1) < 1e-6) {
      return v;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }
}
