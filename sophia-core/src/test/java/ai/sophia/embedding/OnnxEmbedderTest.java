package ai.sophia.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.sophia.error.InvalidInputException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnnxEmbedderTest {

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @ParameterizedTest
  @ValueSource(strings = {"bge-small-en-v1.5", "all-minilm-l6-v2", "e5-small-v2"})
  void embedPassages_eachModel_unitVectorsOf384Dimensions(String model) {
    Embedder embedder = OnnxEmbedder.create(model);
    List<float[]> vectors = embedder.embedPassages(List.of("A first passage.", "A second one."));
    assertThat(embedder.model()).isEqualTo(model);
    assertThat(embedder.dimension()).isEqualTo(384);
    assertThat(vectors).hasSize(2);
    for (float[] v : vectors) {
      assertThat(v).hasSize(384);
      assertThat(dot(v, v)).isCloseTo(1.0, within(1e-4));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bge-small-en-v1.5", "all-minilm-l6-v2", "e5-small-v2"})
  void embedQuery_eachModel_relatedPassageCloserThanUnrelated(String model) {
    Embedder embedder = OnnxEmbedder.create(model);
    float[] query = embedder.embedQuery("How do I repair a flat bicycle tyre?");
    List<float[]> passages =
        embedder.embedPassages(
            List.of(
                "To fix a punctured bike tire, remove the inner tube and patch the hole.",
                "The central bank raised interest rates to curb inflation."));
    assertThat(dot(query, passages.get(0))).isGreaterThan(dot(query, passages.get(1)) + 0.1);
  }

  @Test
  void embedQuery_bge_usesInstructionPrefixPassagesDoNot() {
    Embedder bge = OnnxEmbedder.create("bge-small-en-v1.5");
    Embedder miniLm = OnnxEmbedder.create("all-minilm-l6-v2");
    String text = "solar panels on roofs";
    assertThat(bge.embedQuery(text)).isNotEqualTo(bge.embedPassages(List.of(text)).get(0));
    assertThat(dot(miniLm.embedQuery(text), miniLm.embedPassages(List.of(text)).get(0)))
        .isCloseTo(1.0, within(1e-4));
  }

  @Test
  void embed_e5_marksQueriesAndPassagesWithTheirPrefixes() {
    Embedder e5 = OnnxEmbedder.create("e5-small-v2");
    String text = "solar panels on roofs";
    float[] query = e5.embedQuery(text);
    float[] passage = e5.embedPassages(List.of(text)).get(0);
    try (BertEncoder encoder = OnnxEmbedder.encoder("e5-small-v2")) {
      List<float[]> marked = encoder.embed(List.of("query: " + text, "passage: " + text));
      assertThat(dot(query, marked.get(0))).isCloseTo(1.0, within(1e-5));
      assertThat(dot(passage, marked.get(1))).isCloseTo(1.0, within(1e-5));
    }
    assertThat(dot(query, passage)).isLessThan(0.999);
  }

  @Test
  void create_unknownModel_namesConfigKey() {
    assertThatThrownBy(() -> OnnxEmbedder.create("gpt-embedder"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("embedding.model")
        .hasMessageContaining("gpt-embedder");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u200b", "\u0001", "\ud800", "\ufffd"})
  void embed_textWithoutTokens_unitVectorNotAnError(String text) {
    Embedder embedder = OnnxEmbedder.create("all-minilm-l6-v2");

    float[] query = embedder.embedQuery(text);
    List<float[]> passages = embedder.embedPassages(List.of(text, "a real passage"));

    assertThat(dot(query, query)).isCloseTo(1.0, within(1e-4));
    assertThat(passages).hasSize(2);
    assertThat(dot(passages.get(0), passages.get(0))).isCloseTo(1.0, within(1e-4));
  }

  @Test
  void embed_blankInput_rejectedNamingField() {
    Embedder embedder = OnnxEmbedder.create("all-minilm-l6-v2");
    assertThatThrownBy(() -> embedder.embedQuery("  "))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("query"));
    assertThatThrownBy(() -> embedder.embedPassages(List.of("fine", "")))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("passages[1]"));
    assertThat(embedder.embedPassages(List.of())).isEmpty();
  }

  @Test
  void healthCheck_loadsModel_upAndShortTimeoutAfterwards() throws Exception {
    OnnxEmbedder embedder = OnnxEmbedder.create("all-minilm-l6-v2");
    HealthCheck check = embedder.healthCheck();
    assertThat(check.name()).isEqualTo("embeddings");
    HealthStatus status = check.check();
    assertThat(status.state()).isEqualTo(HealthStatus.State.up);
    assertThat(status.facts()).containsEntry("dimension", 384);
    assertThat(embedder.loaded()).isTrue();
    assertThat(check.timeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void create_beforeUse_doesNotLoadModel() {
    OnnxEmbedder embedder = OnnxEmbedder.create("bge-small-en-v1.5");
    assertThat(embedder.loaded()).isFalse();
    assertThat(embedder.healthCheck().timeout()).isEqualTo(Duration.ofSeconds(10));
  }
}
