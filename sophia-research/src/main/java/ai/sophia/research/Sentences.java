package ai.sophia.research;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits prose into sentences fit to quote: not too short to mean anything, not run-on. */
final class Sentences {
  static final int MIN_CHARS = 40;
  static final int MAX_CHARS = 400;
  static final int MIN_WORDS = 6;

  /** A plain word, with the punctuation that may follow or precede it in prose. */
  private static final java.util.regex.Pattern WORD =
      java.util.regex.Pattern.compile("[\\p{Punct}&&[^_=<>]]?\\p{L}[\\p{L}'’-]*[.,;:!?\"”)]*");

  private Sentences() {}

  static List<String> split(String text) {
    return runs(text).stream().flatMap(List::stream).toList();
  }

  /**
   * The quotable sentences of {@code text} in runs: the sentences of one run follow each other in
   * the text with nothing left out between them (a sentence that is not quotable ends a run).
   */
  static List<List<String>> runs(String text) {
    List<List<String>> out = new ArrayList<>();
    List<String> run = new ArrayList<>();
    for (String paragraph : text.split("\\n\\s*\\n|\\n")) {
      BreakIterator it = BreakIterator.getSentenceInstance(Locale.ENGLISH);
      it.setText(paragraph);
      int start = it.first();
      for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
        String sentence = balance(paragraph.substring(start, end).strip().replaceAll("\\s+", " "));
        if (quotable(sentence)) {
          run.add(sentence);
        } else if (!sentence.isEmpty() && !run.isEmpty()) {
          out.add(List.copyOf(run));
          run.clear();
        }
      }
    }
    if (!run.isEmpty()) {
      out.add(List.copyOf(run));
    }
    return out;
  }

  /**
   * A sentence worth quoting: long enough, not run-on, and prose — most of its words plain words,
   * so option lists, code and tables ({@code -fb, -fh, enable_x = off}) are left out.
   */
  private static boolean quotable(String s) {
    if (s.length() < MIN_CHARS || s.length() > MAX_CHARS) {
      return false;
    }
    String[] tokens = s.split(" ");
    int words = 0;
    for (String token : tokens) {
      if (WORD.matcher(token).matches()) {
        words++;
      }
    }
    return words >= MIN_WORDS && words * 10 >= tokens.length * 7;
  }

  /** Drops a parenthesis the sentence split left unbalanced at either end. */
  static String balance(String s) {
    String out = s;
    if (out.startsWith("(") && out.indexOf(')') < 0) {
      out = out.substring(1).strip();
    }
    if (out.endsWith(")") && out.indexOf('(') < 0) {
      out = out.substring(0, out.length() - 1).strip();
    }
    if (out.endsWith(".)") || out.endsWith("?)") || out.endsWith("!)")) {
      out = out.indexOf('(') < 0 ? out.substring(0, out.length() - 1) : out;
    }
    return out;
  }
}
