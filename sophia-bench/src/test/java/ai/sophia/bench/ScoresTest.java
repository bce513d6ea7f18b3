package ai.sophia.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.sophia.memory.Chunk;
import ai.sophia.memory.ChunkHit;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoresTest {
  private static ChunkHit hit(String url, int position) {
    Chunk chunk =
        new Chunk(url + "#" + position, "documents", url, "", position, "t", new float[] {1f});
    return new ChunkHit(chunk, 1, 1, 1);
  }

  @Test
  void pageOrder_severalChunksOfOnePage_countsThePageOnceAtItsBestChunk() {
    List<ChunkHit> hits =
        List.of(
            hit("file:///d/a.html", 3),
            hit("file:///d/b.html", 0),
            hit("file:///d/a.html", 1),
            hit("file:///d/c.html", 2));

    assertThat(Scores.pageOrder(hits))
        .containsExactly("file:///d/a.html", "file:///d/b.html", "file:///d/c.html");
  }

  @Test
  void rank_alternativePageFirst_ranksAtTheAlternative() {
    Question question = new Question("q", List.of("c.html", "b.html"));

    assertThat(
            Scores.rank(
                List.of("file:///d/a.html", "file:///d/b.html", "file:///d/c.html"), question))
        .isEqualTo(2);
    assertThat(Scores.rank(List.of("file:///d/x.html"), question)).isZero();
  }

  @Test
  void of_mixedRanks_computesRecallAndMeanReciprocalRank() {
    Scores scores = Scores.of(new int[] {1, 2, 4, 0});

    assertThat(scores.questions()).isEqualTo(4);
    assertThat(scores.recallAt1()).isEqualTo(0.25);
    assertThat(scores.recallAt3()).isEqualTo(0.5);
    assertThat(scores.recallAt5()).isEqualTo(0.75);
    assertThat(scores.mrr()).isCloseTo((1 + 0.5 + 0.25) / 4, within(1e-9));
  }
}
