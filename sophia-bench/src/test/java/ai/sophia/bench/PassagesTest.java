package ai.sophia.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PassagesTest {
  @Test
  void split_longText_overlapsWindowsAndKeepsTheTail() {
    assertThat(Passages.split("a b c d e f g", 4, 1)).containsExactly("a b c d", "d e f g");
    assertThat(Passages.split("a b c d e", 3, 1)).containsExactly("a b c", "c d e");
  }

  @Test
  void split_blankText_givesNoPassage() {
    assertThat(Passages.split("   ", 4, 1)).isEmpty();
  }
}
