package ai.sophia.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.ingest.Chunker.Passage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkerTest {
  private final Chunker chunker = Chunker.create();

  /** Deterministic prose: paragraphs of sentences of varied length, every sentence unique. */
  private static String prose(int paragraphs, long seed) {
    Random random = new Random(seed);
    String[] words = {
      "relay",
      "metrics",
      "flush",
      "interval",
      "sink",
      "series",
      "percentile",
      "counter",
      "gauge",
      "timer",
      "aggregate",
      "database",
      "network",
      "packet",
      "shard"
    };
    StringBuilder text = new StringBuilder();
    int sentence = 0;
    for (int p = 0; p < paragraphs; p++) {
      int sentences = 2 + random.nextInt(6);
      for (int s = 0; s < sentences; s++) {
        StringBuilder line = new StringBuilder("Sentence " + sentence++ + " says");
        int length = 6 + random.nextInt(25);
        for (int w = 0; w < length; w++) {
          line.append(' ').append(words[random.nextInt(words.length)]);
        }
        text.append(line).append(". ");
      }
      text.append("\n\n");
    }
    return text.toString();
  }

  @Test
  void chunk_longText_givesPassagesWithinBounds() {
    List<Passage> passages = chunker.chunk("Guide", prose(40, 1));

    assertThat(passages).hasSizeGreaterThan(5);
    assertThat(passages).allSatisfy(p -> assertThat(p.text().length()).isLessThanOrEqualTo(1200));
    assertThat(passages.subList(0, passages.size() - 1))
        .allSatisfy(p -> assertThat(p.text().length()).isGreaterThanOrEqualTo(600));
    assertThat(passages)
        .extracting(Passage::position)
        .containsExactlyElementsOf(range(passages.size()));
    assertThat(passages).allSatisfy(p -> assertThat(p.title()).isEqualTo("Guide"));
  }

  @Test
  void chunk_longText_losesNoSentence() {
    String text = prose(30, 2);
    List<Passage> passages = chunker.chunk("t", text);
    String all = String.join("\n", passages.stream().map(Passage::text).toList());

    for (int i = 0; text.contains("Sentence " + i + " says"); i++) {
      assertThat(all).contains("Sentence " + i + " says");
    }
  }

  @Test
  void chunk_passagesEndOnSentenceBoundariesAndOverlap() {
    List<Passage> passages = chunker.chunk("t", prose(30, 3));

    int overlapping = 0;
    for (int i = 1; i < passages.size(); i++) {
      String previous = passages.get(i - 1).text();
      String current = passages.get(i).text();
      assertThat(previous).endsWith(".");
      assertThat(current).startsWith("Sentence ");
      String lastOfPrevious = previous.substring(previous.lastIndexOf("Sentence "));
      if (lastOfPrevious.length() < 150) {
        assertThat(current)
            .as("passage %d repeats the end of the one before", i)
            .startsWith(lastOfPrevious);
        overlapping++;
      }
    }
    assertThat(overlapping).isPositive();
  }

  @Test
  void chunk_prefersParagraphBreaks() {
    String para = "Alpha sentence number one is here. ".repeat(25).strip(); // ~875 chars
    String text =
        para + "\n\n" + para.replace("Alpha", "Beta") + "\n\n" + para.replace("Alpha", "Gamma");

    List<Passage> passages = chunker.chunk("t", text);

    assertThat(passages).hasSize(3);
    assertThat(passages.get(0).text()).isEqualTo(para);
    assertThat(passages.get(1).text()).contains("Beta").doesNotContain("Gamma");
    assertThat(passages.get(2).text()).endsWith("Gamma sentence number one is here.");
  }

  @Test
  void chunk_sentenceLongerThanMax_isCutAtWhitespace() {
    String longSentence = "word ".repeat(700).strip(); // 3499 chars, no sentence end

    List<Passage> passages = chunker.chunk("t", longSentence);

    assertThat(passages).hasSizeGreaterThanOrEqualTo(3);
    assertThat(passages)
        .allSatisfy(
            p -> {
              assertThat(p.text().length()).isLessThanOrEqualTo(1200);
              assertThat(p.text()).startsWith("word").endsWith("word");
            });
  }

  @Test
  void chunk_shortText_isOnePassage() {
    assertThat(chunker.chunk("FAQ", "Short answer.\n\nSecond paragraph."))
        .containsExactly(new Passage(0, "FAQ", "Short answer.\n\nSecond paragraph."));
  }

  @Test
  void chunk_blankText_givesNoPassages() {
    assertThat(chunker.chunk("Empty", "  \n\n  ")).isEmpty();
  }

  @Test
  void chunk_sameInput_givesSamePassages() {
    String text = prose(25, 4);

    assertThat(chunker.chunk("t", text)).isEqualTo(chunker.chunk("t", text));
  }

  @Test
  void chunk_abbreviationsAndDecimals_doNotSplitSentences() {
    Chunker small = Chunker.create(20, 60, 0);

    List<Passage> passages =
        small.chunk("t", "Use e.g. the relay with version 2.5 here. Then stop it now.");

    assertThat(passages)
        .extracting(Passage::text)
        .containsExactly("Use e.g. the relay with version 2.5 here. Then stop it now.");
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }
}
