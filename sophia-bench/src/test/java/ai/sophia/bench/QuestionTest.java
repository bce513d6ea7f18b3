package ai.sophia.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuestionTest {
  @TempDir Path dir;

  @Test
  void load_commentsBlankLinesAndAlternatives_keepsQuestionsInOrder() throws Exception {
    Path file = dir.resolve("q.tsv");
    Files.writeString(
        file, "# header\n\nstop a slow query\ta.html\n  upsert a row\tb.html\tc.html\n");

    List<Question> questions = Question.load(file);

    assertThat(questions)
        .containsExactly(
            new Question("stop a slow query", List.of("a.html")),
            new Question("upsert a row", List.of("b.html", "c.html")));
    assertThat(questions.get(1).answeredBy("c.html")).isTrue();
    assertThat(questions.get(1).answeredBy("a.html")).isFalse();
  }

  @Test
  void answerable_dashLabel_noPageAnswers() {
    Question none = new Question("who wrote the manual", List.of("-"));

    assertThat(none.answerable()).isFalse();
    assertThat(none.answeredBy("-")).isFalse();
    assertThat(new Question("stop a slow query", List.of("a.html")).answerable()).isTrue();
  }

  @Test
  void load_lineWithoutPage_namesTheLine() throws Exception {
    Path file = dir.resolve("q.tsv");
    Files.writeString(file, "ok\ta.html\nno page here\n");

    assertThatThrownBy(() -> Question.load(file))
        .isInstanceOf(BenchException.class)
        .hasMessageContaining("line 2");
  }

  @Test
  void load_missingFile_namesTheFile() {
    Path file = dir.resolve("absent.tsv");

    assertThatThrownBy(() -> Question.load(file))
        .isInstanceOf(BenchException.class)
        .hasMessageContaining("absent.tsv");
  }
}
