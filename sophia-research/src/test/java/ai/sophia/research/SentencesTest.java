package ai.sophia.research;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SentencesTest {

  @Test
  void split_prose_keepsWholeSentences() {
    assertThat(
            Sentences.split(
                "Tides are caused by the Moon pulling on the oceans of the Earth. "
                    + "Short one. Spring tides happen when the Sun and the Moon line up together."))
        .containsExactly(
            "Tides are caused by the Moon pulling on the oceans of the Earth.",
            "Spring tides happen when the Sun and the Moon line up together.");
  }

  @Test
  void split_optionListsAndCode_areNotQuotable() {
    assertThat(
            Sentences.split(
                "-fb, -fh, -fi, -fm, -fn, -fo enable_bitmapscan = off, enable_hashjoin = off,"
                    + " enable_indexscan = off"))
        .isEmpty();
  }

  @Test
  void balance_parenthesisLeftOpenBySplit_isDropped() {
    assertThat(Sentences.balance("(Because replay starts at a checkpoint, this is enough."))
        .isEqualTo("Because replay starts at a checkpoint, this is enough.");
    assertThat(Sentences.balance("So raise the checkpoint interval parameters.)"))
        .isEqualTo("So raise the checkpoint interval parameters.");
    assertThat(Sentences.balance("Keep (this) as it is.")).isEqualTo("Keep (this) as it is.");
  }
}
