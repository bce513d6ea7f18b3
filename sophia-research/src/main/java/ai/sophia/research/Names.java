package ai.sophia.research;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names a text uses that a source must use too: code identifiers ({@code pg_cancel_backend},
 * {@code nextval()}, {@code --single-transaction}, {@code FrozenTransactionId}), keywords and
 * acronyms in capitals ({@code ALTER TABLE}, {@code BRIN}) and capitalized multiword names ({@code
 * Karl von Frisch}, {@code Nobel Prize}). A single capitalized word is not a name: it is as likely
 * to start a sentence.
 */
final class Names {
  private static final Pattern TOKEN = Pattern.compile("--?[A-Za-z][\\w-]*|[\\w'’.+-]+(?:\\(\\))?");

  /** Lower-case words that join the parts of a personal name. */
  private static final Set<String> PARTICLES = Set.of("von", "van", "der", "de", "du", "la");

  /** Units in capitals ("4 MB"): {@link Quantities} checks them with their number. */
  private static final Set<String> UNITS = Set.of("KB", "MB", "GB", "TB", "PB");

  /** Capitalized words that start sentences rather than names. */
  private static final Set<String> OPENERS =
      Set.of(
          "a",
          "an",
          "the",
          "this",
          "these",
          "that",
          "those",
          "in",
          "on",
          "under",
          "with",
          "by",
          "for",
          "if",
          "when",
          "because",
          "after",
          "before",
          "during",
          "since",
          "although",
          "among",
          "only",
          "its",
          "their",
          "our",
          "each",
          "every",
          "all",
          "some",
          "both",
          "once",
          "see",
          "use",
          "using",
          "passing",
          "setting",
          "running",
          "like",
          "unlike",
          "as",
          "so",
          "but",
          "and",
          "or",
          "it",
          "there",
          "then",
          "also",
          "however",
          "thus",
          "while",
          "at",
          "from",
          "of",
          "to",
          "is",
          "are",
          "be");

  private Names() {}

  static Set<String> of(String text) {
    Set<String> out = new LinkedHashSet<>();
    List<String> run = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    int end = 0;
    boolean sentenceStart = true;
    boolean runAtStart = true;
    while (m.find()) {
      String between = text.substring(end, m.start());
      String raw = m.group();
      String word = trimmed(raw);
      end = m.end();
      boolean broken = !between.isBlank() || between.contains("\n");
      if (broken) {
        flush(run, runAtStart, out);
      }
      if (UNITS.contains(word.toUpperCase(Locale.ROOT))) {
        flush(run, runAtStart, out);
      } else if (identifier(word)) {
        flush(run, runAtStart, out);
        out.add(word);
      } else if (capitalized(word) || (!run.isEmpty() && PARTICLES.contains(word))) {
        if (run.isEmpty()) {
          runAtStart = sentenceStart;
        }
        run.add(word);
      } else {
        flush(run, runAtStart, out);
      }
      sentenceStart = raw.endsWith(".") || raw.endsWith(":") || raw.endsWith("?");
      if (!word.equals(raw.replaceAll("[.,;:!?)\"”]+$", ""))) {
        flush(run, runAtStart, out); // "Lorenz, and": the name ends at the comma
      }
    }
    flush(run, runAtStart, out);
    return out;
  }

  /**
   * Whether {@code name} occurs in {@code text} as whole words, ignoring case and spacing; an
   * acronym also when the words it abbreviates do ("WAL" in "write-ahead log").
   */
  static boolean mentioned(String name, String normalizedText) {
    if (name.matches("[A-Z]{2,5}") && spelledOut(name, normalizedText)) {
      return true;
    }
    String n = normalize(name);
    for (int i = normalizedText.indexOf(n); i >= 0; i = normalizedText.indexOf(n, i + 1)) {
      int after = i + n.length();
      boolean startOk = i == 0 || !wordChar(normalizedText.charAt(i - 1));
      boolean endOk = after == normalizedText.length() || !wordChar(normalizedText.charAt(after));
      if (startOk && endOk) {
        return true;
      }
    }
    return false;
  }

  private static boolean spelledOut(String acronym, String normalizedText) {
    StringBuilder regex = new StringBuilder("\\b");
    for (int i = 0; i < acronym.length(); i++) {
      regex.append(i == 0 ? "" : "[\\s-]+").append(Character.toLowerCase(acronym.charAt(i)));
      regex.append("\\p{L}*");
    }
    return Pattern.compile(regex.toString()).matcher(normalizedText).find();
  }

  /** Lower case, one space between words, typographic apostrophes plain. */
  static String normalize(String text) {
    return text.replace('’', '\'').replaceAll("\\s+", " ").strip().toLowerCase(Locale.ROOT);
  }

  private static void flush(List<String> run, boolean atStart, Set<String> out) {
    if (run.isEmpty()) {
      return;
    }
    List<String> words = new ArrayList<>(run);
    run.clear();
    while (!words.isEmpty() && OPENERS.contains(words.get(0).toLowerCase(Locale.ROOT))) {
      words.remove(0);
    }
    while (!words.isEmpty() && PARTICLES.contains(words.get(words.size() - 1))) {
      words.remove(words.size() - 1);
    }
    if (atStart
        && words.size() > 1
        && !nameLike(words.get(0))
        && words.stream().skip(1).allMatch(Names::nameLike)) {
      words.remove(0); // "Standard VACUUM": the sentence's first word, then a keyword
    }
    if (words.size() > 1 || (words.size() == 1 && nameLike(words.get(0)))) {
      out.add(String.join(" ", words));
    }
  }

  /** A word that is a name on its own: capitals throughout (BRIN, UTF8) or inside (GiST). */
  private static boolean nameLike(String word) {
    long upper = word.chars().filter(Character::isUpperCase).count();
    return word.length() >= 2
        && (upper >= 2 || (upper == 1 && !Character.isUpperCase(word.charAt(0))));
  }

  /** A name from code: {@code statement_timeout}, {@code nextval()}. */
  static boolean code(String name) {
    return name.contains("_") || name.endsWith("()");
  }

  private static boolean identifier(String word) {
    return word.contains("_")
        || word.endsWith("()")
        || word.startsWith("--")
        || (word.length() > 3
            && Character.isUpperCase(word.charAt(0))
            && word.substring(1).chars().anyMatch(Character::isUpperCase)
            && word.chars().anyMatch(Character::isLowerCase)
            && !word.contains("-"));
  }

  private static boolean capitalized(String word) {
    return !word.isEmpty() && Character.isUpperCase(word.charAt(0));
  }

  /** The word without closing punctuation or a possessive. */
  private static String trimmed(String raw) {
    String w = raw.replaceAll("[.,;:!?)\"”]+$", "");
    if (w.endsWith("'s") || w.endsWith("’s")) {
      w = w.substring(0, w.length() - 2);
    }
    return w;
  }

  private static boolean wordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
