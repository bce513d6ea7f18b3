package ai.sophia.research;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits prose into sentences fit to quote: not too short to mean anything, not run-on. */
final class Sentences {
  static final int MIN_CHARS = 40;
  static final int MAX_CHARS = 400;

  private Sentences() {}

  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    for (String paragraph : text.split("\\n\\s*\\n|\\n")) {
      BreakIterator it = BreakIterator.getSentenceInstance(Locale.ENGLISH);
      it.setText(paragraph);
      int start = it.first();
      for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
        String sentence = paragraph.substring(start, end).strip().replaceAll("\\s+", " ");
        if (quotable(sentence)) {
          out.add(sentence);
        }
      }
    }
    return out;
  }

  /** A sentence worth quoting: long enough, not a run-on list, with some letters in it. */
  private static boolean quotable(String s) {
    if (s.length() < MIN_CHARS || s.length() > MAX_CHARS) {
      return false;
    }
    long letters = s.chars().filter(Character::isLetter).count();
    return letters >= s.length() / 2;
  }
}
