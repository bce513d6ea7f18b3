package ai.sophia.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.cache.CacheRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueryCachingEmbedderTest {
  private static final OnnxEmbedder MODEL = OnnxEmbedder.create("all-minilm-l6-v2");

  @Test
  void embedQuery_repeated_isServedFromCacheAndEqual() {
    CacheRegistry caches = CacheRegistry.create();
    QueryCachingEmbedder embedder =
        new QueryCachingEmbedder(
            MODEL, caches.create("query_embeddings", 100, Duration.ofMinutes(1)));
    float[] first = embedder.embedQuery("how do tides work");
    first[0] = 42f; // a caller scribbling on its copy must not reach the cache
    float[] second = embedder.embedQuery("how do tides work");
    assertThat(second).isEqualTo(MODEL.embedQuery("how do tides work"));
    assertThat(caches.stats().get("query_embeddings").hitCount()).isEqualTo(1);
    assertThat(caches.hitRatio()).isEqualTo(0.5);
    assertThat(embedder.model()).isEqualTo("all-minilm-l6-v2");
  }
}
