package ai.sophia.embedding;

import ai.sophia.error.InvalidInputException;
import ai.sophia.error.UnavailableException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Embedder} running a sentence-embedding model in process with ONNX Runtime. The models ship
 * inside LangChain4j's Maven artifacts, so nothing is downloaded at run time.
 *
 * <p>The model (about 130 MB for bge-small, 90 MB for MiniLM) is loaded on first use, once; a
 * caller that wants no first-request delay calls {@link #load()} at start-up. Passages are embedded
 * in parallel on a pool of daemon threads, one per core.
 */
public final class OnnxEmbedder implements Embedder {
  private static final Logger log = LoggerFactory.getLogger(OnnxEmbedder.class);
  private static final int DIMENSION = 384;
  // bge's authors recommend this instruction for short queries against passages.
  private static final String BGE_QUERY_PREFIX =
      "Represent this sentence for searching relevant passages: ";

  private final String model;
  private final String queryPrefix;
  private final Function<ExecutorService, EmbeddingModel> loader;
  private volatile EmbeddingModel loaded;

  private OnnxEmbedder(
      String model, String queryPrefix, Function<ExecutorService, EmbeddingModel> loader) {
    this.model = model;
    this.queryPrefix = queryPrefix;
    this.loader = loader;
  }

  /** An embedder for {@code bge-small-en-v1.5} or {@code all-minilm-l6-v2}; nothing loads yet. */
  public static OnnxEmbedder create(String modelName) {
    Objects.requireNonNull(modelName, "modelName");
    return switch (modelName) {
      case "bge-small-en-v1.5" ->
          new OnnxEmbedder(modelName, BGE_QUERY_PREFIX, BgeSmallEnV15EmbeddingModel::new);
      case "all-minilm-l6-v2" -> new OnnxEmbedder(modelName, "", AllMiniLmL6V2EmbeddingModel::new);
      default ->
          throw new InvalidInputException(
              "embedding.model",
              "embedding.model '" + modelName + "' is not bge-small-en-v1.5 or all-minilm-l6-v2");
    };
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
    embeddingModel();
  }

  @Override
  public float[] embedQuery(String query) {
    Objects.requireNonNull(query, "query");
    if (query.isBlank()) {
      throw new InvalidInputException("query", "query is blank");
    }
    Embedding e = embeddingModel().embed(queryPrefix + query).content();
    return normalized(e.vector());
  }

  @Override
  public List<float[]> embedPassages(List<String> passages) {
    Objects.requireNonNull(passages, "passages");
    if (passages.isEmpty()) {
      return List.of();
    }
    List<TextSegment> segments = new ArrayList<>(passages.size());
    for (int i = 0; i < passages.size(); i++) {
      String passage = passages.get(i);
      if (passage == null || passage.isBlank()) {
        throw new InvalidInputException("passages[" + i + "]", "passage " + i + " is blank");
      }
      segments.add(TextSegment.from(passage));
    }
    List<Embedding> embeddings = embeddingModel().embedAll(segments).content();
    List<float[]> out = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      out.add(normalized(e.vector()));
    }
    return out;
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

  private EmbeddingModel embeddingModel() {
    EmbeddingModel current = loaded;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (loaded == null) {
        long started = System.nanoTime();
        ExecutorService executor =
            Executors.newFixedThreadPool(
                Runtime.getRuntime().availableProcessors(),
                Thread.ofPlatform().daemon().name("embed-" + model + "-", 0).factory());
        try {
          loaded = loader.apply(executor);
        } catch (RuntimeException | LinkageError e) {
          executor.shutdown();
          throw new UnavailableException(
              "embedding model " + model + " could not be loaded: " + e, e);
        }
        log.info(
            "embedding model {} ready in {} ms", model, (System.nanoTime() - started) / 1_000_000);
      }
      return loaded;
    }
  }

  /**
   * The models normalize already; this keeps the unit-length contract whatever the library does.
   */
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
