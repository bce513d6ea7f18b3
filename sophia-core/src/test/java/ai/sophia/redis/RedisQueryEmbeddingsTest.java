package ai.sophia.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.embedding.Embedder;
import ai.sophia.embedding.OnnxEmbedder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Query embeddings shared through a real Redis by two "nodes" (two clients, one server). */
class RedisQueryEmbeddingsTest {
  private static final OnnxEmbedder MODEL = OnnxEmbedder.create("all-minilm-l6-v2");

  /** The model, counting the queries it really embedded. */
  private static final class Counting implements Embedder {
    final AtomicInteger queries = new AtomicInteger();

    @Override
    public String model() {
      return MODEL.model();
    }

    @Override
    public int dimension() {
      return MODEL.dimension();
    }

    @Override
    public float[] embedQuery(String query) {
      queries.incrementAndGet();
      return MODEL.embedQuery(query);
    }

    @Override
    public List<float[]> embedPassages(List<String> passages) {
      return MODEL.embedPassages(passages);
    }
  }

  @Test
  void embedQuery_embeddedOnNodeA_isReadOnNodeBWithoutTheModel() {
    Map<String, String> env = TestRedis.shared().env();
    Counting modelA = new Counting();
    Counting modelB = new Counting();
    try (Redis a = TestRedis.connect(env);
        Redis b = TestRedis.connect(env)) {
      RedisQueryEmbeddings nodeA = new RedisQueryEmbeddings(modelA, a, Duration.ofMinutes(5));
      RedisQueryEmbeddings nodeB = new RedisQueryEmbeddings(modelB, b, Duration.ofMinutes(5));

      float[] onA = nodeA.embedQuery("why is the sky blue");
      float[] onB = nodeB.embedQuery("why is the sky blue");

      assertThat(onB).isEqualTo(onA).isEqualTo(MODEL.embedQuery("why is the sky blue"));
      assertThat(modelA.queries).hasValue(1);
      assertThat(modelB.queries).hasValue(0);
      assertThat(nodeB.hits()).isEqualTo(1);
      assertThat(nodeA.misses()).isEqualTo(1);
      // The question itself is not kept in Redis, only its digest.
      List<String> keys = a.call(c -> c.keys(a.key("emb", "*")));
      assertThat(keys).hasSize(1).allSatisfy(k -> assertThat(k).doesNotContain("sky"));
    }
  }

  @Test
  void embedQuery_redisGone_embedsHere() {
    TestRedis server = TestRedis.startPrivate();
    Counting model = new Counting();
    try (Redis redis = TestRedis.connect(server.env())) {
      RedisQueryEmbeddings node = new RedisQueryEmbeddings(model, redis, Duration.ofMinutes(5));
      server.stop();

      float[] vector = node.embedQuery("how do tides work");

      assertThat(vector).isEqualTo(MODEL.embedQuery("how do tides work"));
      assertThat(model.queries).hasValue(1);
    } finally {
      server.close();
    }
  }

  @Test
  void encode_decode_roundTripsEveryFloat() {
    float[] vector = {0f, -1.5f, Float.MIN_VALUE, 3.25e7f, Float.NaN};

    assertThat(RedisQueryEmbeddings.decode(RedisQueryEmbeddings.encode(vector))).isEqualTo(vector);
  }
}
