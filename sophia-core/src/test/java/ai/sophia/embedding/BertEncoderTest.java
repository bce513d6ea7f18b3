package ai.sophia.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.e5smallv2.E5SmallV2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The batched encoder against LangChain4j's one-text-per-call encoder on the same model files. */
class BertEncoderTest {
  private static final List<String> TEXTS =
      List.of(
          "Vacuum reclaims storage occupied by dead tuples.",
          "A short one.",
          "PostgreSQL supports several index types: B-tree, hash, GiST, SP-GiST, GIN and BRIN."
              + " Each index type uses a different algorithm that is best suited to different"
              + " types of queries. By default, CREATE INDEX creates B-tree indexes.",
          "Unbelievably, antidisestablishmentarianism tokenizes into many word pieces!",
          "The planner's statistics are gathered by ANALYZE.");

  private static ExecutorService pool;
  private static BertEncoder bge;
  private static BertEncoder miniLm;

  @BeforeAll
  static void load() {
    pool = Executors.newFixedThreadPool(2);
    bge = OnnxEmbedder.encoder("bge-small-en-v1.5");
    miniLm = OnnxEmbedder.encoder("all-minilm-l6-v2");
  }

  @AfterAll
  static void close() {
    pool.shutdown();
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static void assertSameAsLangChain4j(
      BertEncoder encoder, EmbeddingModel lc4j, List<String> texts) {
    List<float[]> batched = encoder.embed(texts);
    assertThat(batched).hasSize(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      float[] single = lc4j.embed(TextSegment.from(texts.get(i))).content().vector();
      assertThat(batched.get(i)).hasSize(384);
      assertThat(dot(batched.get(i), single)).as("text %d", i).isCloseTo(1.0, within(1e-4));
    }
  }

  @Test
  void embed_bgeBatch_equalsLangChain4jSingleTextVectors() {
    assertSameAsLangChain4j(bge, new BgeSmallEnV15EmbeddingModel(pool), TEXTS);
  }

  @Test
  void embed_miniLmBatch_equalsLangChain4jSingleTextVectors() {
    assertSameAsLangChain4j(miniLm, new AllMiniLmL6V2EmbeddingModel(pool), TEXTS);
  }

  @Test
  void embed_e5Batch_equalsLangChain4jSingleTextVectors() {
    try (BertEncoder e5 = OnnxEmbedder.encoder("e5-small-v2")) {
      assertSameAsLangChain4j(e5, new E5SmallV2EmbeddingModel(pool), TEXTS);
    }
  }

  @Test
  void embed_textsLongerThan512Tokens_windowedAndAveragedAsLangChain4jDoes() {
    String sentence =
        "Write-ahead logging ensures that changes to data files are written only after those"
            + " changes have been logged, unquestionably. ";
    String longText = sentence.repeat(60);
    assertThat(longText.split(" ").length).isGreaterThan(900);
    List<String> texts = List.of("a short text first", longText, sentence.repeat(30));
    assertSameAsLangChain4j(bge, new BgeSmallEnV15EmbeddingModel(pool), texts);
    assertSameAsLangChain4j(miniLm, new AllMiniLmL6V2EmbeddingModel(pool), texts);
  }

  @Test
  void embed_oneText_sameAsWithinBatch() {
    float[] alone = bge.embed(List.of(TEXTS.get(2))).get(0);
    assertThat(dot(alone, bge.embed(TEXTS).get(2))).isCloseTo(1.0, within(1e-5));
    assertThat(dot(alone, alone)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void embed_emptyList_empty() {
    assertThat(bge.embed(List.of())).isEmpty();
  }

  @Test
  void embed_fourThreadsAtOnce_eachGetsItsOwnVectors() throws Exception {
    List<float[]> expected = miniLm.embed(TEXTS);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<float[]>>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        // Each thread sends the texts rotated, so a mix-up between threads would misplace them.
        List<String> rotated = new ArrayList<>(TEXTS);
        java.util.Collections.rotate(rotated, t);
        futures.add(threads.submit(() -> miniLm.embed(rotated)));
      }
      for (int t = 0; t < 4; t++) {
        List<float[]> got = futures.get(t).get();
        for (int i = 0; i < TEXTS.size(); i++) {
          int original = Math.floorMod(i - t, TEXTS.size());
          assertThat(dot(got.get(i), expected.get(original))).isCloseTo(1.0, within(1e-5));
        }
      }
    } finally {
      threads.shutdown();
    }
  }
}
