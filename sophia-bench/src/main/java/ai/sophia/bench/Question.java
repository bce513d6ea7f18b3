package ai.sophia.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A labelled question: its text and the page file names that answer it (the first is the labelled
 * page, the others are acceptable alternatives). The single page {@code -} labels a question that
 * no page of the corpus answers.
 */
record Question(String text, List<String> pages) {
  Question {
    Objects.requireNonNull(text, "text");
    pages = List.copyOf(pages);
    if (text.isBlank() || pages.isEmpty()) {
      throw new IllegalArgumentException("a question needs text and at least one page");
    }
  }

  /** The label of a question no page answers. */
  static final String NO_PAGE = "-";

  boolean answeredBy(String pageName) {
    return answerable() && pages.contains(pageName);
  }

  /** Whether some page of the corpus answers it (its label is not {@code -}). */
  boolean answerable() {
    return !pages.equals(List.of(NO_PAGE));
  }

  /** The tune half holds the 1st, 3rd, 5th… question of a file; the report half the others. */
  static boolean tuneHalf(int index) {
    return index % 2 == 0;
  }

  /**
   * The answerable questions of each file, by the file's name without {@code .tsv}, in the files'
   * order (the sets the retrieval benchmarks report on).
   */
  static Map<String, List<Question>> answerableSets(List<String> files) {
    Map<String, List<Question>> sets = new LinkedHashMap<>();
    for (String file : files) {
      Path path = Path.of(file);
      String name = path.getFileName().toString().replaceFirst("\\.tsv$", "");
      sets.put(name, load(path).stream().filter(Question::answerable).toList());
    }
    return sets;
  }

  /**
   * Reads a questions file: one question per line, {@code question<TAB>page[<TAB>page...]}; blank
   * lines and lines starting with {@code #} are ignored.
   */
  static List<Question> load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BenchException("cannot read questions file " + file + ": " + e.getMessage(), e);
    }
    List<Question> questions = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] cells = line.split("\t");
      List<String> pages = new ArrayList<>();
      for (int c = 1; c < cells.length; c++) {
        if (!cells[c].isBlank()) {
          pages.add(cells[c].strip());
        }
      }
      if (cells[0].isBlank() || pages.isEmpty()) {
        throw new BenchException(
            file + " line " + (i + 1) + ": expected question<TAB>page[<TAB>alternative page]");
      }
      questions.add(new Question(cells[0].strip(), pages));
    }
    if (questions.isEmpty()) {
      throw new BenchException("no questions in " + file);
    }
    return questions;
  }
}
