package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.sophia.embedding.Embedder;
import ai.sophia.embedding.OnnxEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ranking an index is opened with ({@code index.ranking}) is the one its page search uses. */
class IndexRankingTest {
  private static final String MODEL = "all-minilm-l6-v2";
  private static final Embedder EMBEDDER = OnnxEmbedder.create(MODEL);
  private static final String QUERY = "stop a query that runs too long";

  /** Only BM25 of the best passage counts. */
  private static final PageFusion WORDS =
      PageFusion.of(
          new PageFusion.Weights(0, 1, 0, 0, 0, 60, true),
          new PageFusion.Weights(0, 1, 0, 0, 0, 60, true));

  /** Only the closest passage's cosine counts. */
  private static final PageFusion MEANING =
      PageFusion.of(
          new PageFusion.Weights(0, 0, 1, 0, 0, 60, true),
          new PageFusion.Weights(0, 0, 1, 0, 0, 60, true));

  @TempDir Path tmp;

  private static List<Chunk> page(String url, String title, String text) {
    return List.of(
        new Chunk(
            LuceneDocumentIndex.chunkId(url, 0),
            DocumentIndex.DOCUMENTS,
            url,
            title,
            0,
            text,
            EMBEDDER.embedPassages(List.of(text)).getFirst()));
  }

  private List<String> firstPages(PageFusion ranking, String dir) {
    try (LuceneDocumentIndex index = LuceneDocumentIndex.open(tmp.resolve(dir), MODEL, ranking)) {
      index.replace(
          page(
              "https://x.test/race",
              "Race day",
              "The long run: a runner stops, then runs a long race and runs again."));
      index.replace(
          page(
              "https://x.test/timeout",
              "Statement timeout",
              "statement_timeout aborts any SQL statement that takes more than the specified"
                  + " amount of time."));
      List<String> urls = new ArrayList<>();
      for (PageHit hit :
          index.searchPages(
              DocumentIndex.DOCUMENTS, Set.of(), QUERY, EMBEDDER.embedQuery(QUERY), 2)) {
        urls.add(hit.url());
      }
      return urls;
    }
  }

  @Test
  void searchPages_followsTheRankingTheIndexWasOpenedWith() {
    assertThat(firstPages(WORDS, "words")).first().isEqualTo("https://x.test/race");
    assertThat(firstPages(MEANING, "meaning")).first().isEqualTo("https://x.test/timeout");
  }

  @Test
  void named_theConfiguredNames_orAClearRefusal() {
    assertThat(PageFusion.named("blend")).isInstanceOf(PageFusion.Blend.class);
    assertThat(PageFusion.named("learned")).isInstanceOf(LearnedFusion.class);
    assertThatThrownBy(() -> PageFusion.named("bm25"))
        .hasMessageContaining("index.ranking 'bm25' is not one of blend, learned");
  }

  @Test
  void feedback_learnedRankerOnQuestionsOnly_andHitsShowTheCosinesOfTheQueryAsAsked() {
    String question = "how do I stop a query that runs too long";
    assertThat(PageFusion.learned().feedback(question)).isPositive();
    assertThat(PageFusion.learned().feedback("statement_timeout")).isZero();
    assertThat(PageFusion.standard().feedback(question)).isZero();

    float[] asked = EMBEDDER.embedQuery(question);
    try (LuceneDocumentIndex index =
        LuceneDocumentIndex.open(tmp.resolve("learned"), MODEL, PageFusion.learned())) {
      index.replace(
          page("https://x.test/race", "Race day", "A runner stops, then runs a long race."));
      index.replace(
          page(
              "https://x.test/timeout",
              "Statement timeout",
              "statement_timeout aborts any statement that takes more than the specified time."));
      List<PageHit> hits = index.searchPages(DocumentIndex.DOCUMENTS, Set.of(), question, asked, 2);

      assertThat(hits).hasSize(2);
      for (PageHit hit : hits) {
        ChunkHit passage = hit.passages().getFirst();
        assertThat(passage.vectorScore())
            .isCloseTo(HybridSearch.dot(asked, passage.chunk().vector()), within(1e-5));
      }
    }
  }
}
