package ai.sophia.bench;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.embedding.OnnxEmbedder;
import ai.sophia.redis.Redis;
import ai.sophia.redis.RedisQueryEmbeddings;
import ai.sophia.redis.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Does sharing query embeddings through Redis pay? Per query, one at a time: embedding it with the
 * model (what a node does on a miss) against reading the vector another node put in Redis (a hit of
 * {@link RedisQueryEmbeddings} on a second connection, as on a second node), against a real
 * redis-server on loopback started for the run. Distinct questions, so no in-process cache helps.
 */
public final class QueryEmbeddingCache {
  private QueryEmbeddingCache() {}

  public static void main(String[] args) {
    Flags flags = Flags.parse(args, Set.of("queries"));
    int queries = flags.integer("queries", 500, 10, 100_000);
    List<String> questions = new ArrayList<>();
    for (int i = 0; i < queries + 50; i++) {
      questions.add("how does write-ahead logging protect transaction number " + i);
    }
    try (TestRedis server = TestRedis.startPrivate()) {
      Map<String, String> env = server.env();
      SophiaConfig config = ConfigLoader.create(env).load(Optional.empty());
      OnnxEmbedder model = OnnxEmbedder.create(config.embedding().model());
      try (Redis nodeA = Redis.connect(config.redis(), Secrets.create(env));
          Redis nodeB = Redis.connect(config.redis(), Secrets.create(env))) {
        RedisQueryEmbeddings writer = new RedisQueryEmbeddings(model, nodeA, Duration.ofHours(1));
        RedisQueryEmbeddings reader = new RedisQueryEmbeddings(model, nodeB, Duration.ofHours(1));
        double[] embed = new double[queries];
        double[] hit = new double[queries];
        // The first 50 warm the model, the JIT and both connections.
        for (int i = 0; i < questions.size(); i++) {
          String q = questions.get(i);
          long t0 = System.nanoTime();
          writer.embedQuery(q); // a miss: embedded by the model, then written to Redis
          long t1 = System.nanoTime();
          reader.embedQuery(q); // another node's hit
          long t2 = System.nanoTime();
          if (i >= 50) {
            embed[i - 50] = (t1 - t0) / 1e6;
            hit[i - 50] = (t2 - t1) / 1e6;
          }
        }
        if (reader.misses() != 0 || writer.hits() != 0) {
          throw new IllegalStateException("expected every read to hit and every write to miss");
        }
        System.out.printf(
            "model %s, %d queries, %d cores%n",
            model.model(), queries, Runtime.getRuntime().availableProcessors());
        System.out.println("| path | p50 | p99 | mean |");
        System.out.println("|---|---:|---:|---:|");
        row("embedded by the model, then written to Redis (a miss)", embed);
        row("read from Redis, put there by another node (a hit)", hit);
        System.out.printf(
            "a hit takes %.1f %% of a miss at the median%n",
            100 * Percentile.of(hit, 0.5) / Percentile.of(embed, 0.5));
      }
    }
  }

  /** One markdown row: p50, p99 and mean of {@code ms}. */
  static void row(String label, double[] ms) {
    double mean = 0;
    for (double v : ms) {
      mean += v / ms.length;
    }
    System.out.printf(
        "| %s | %.3f ms | %.3f ms | %.3f ms |%n",
        label, Percentile.of(ms, 0.5), Percentile.of(ms, 0.99), mean);
  }
}
