package ai.sophia.research;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sentence or a claim as the negation test reads it: its content terms, each asserted or negated.
 * A negation word (not, no, never, cannot, n't, without, neither, nor, rather than, stops,
 * prevents...; an "un-" participle such as unchanged negates its stem) negates the next {@link
 * #SCOPE} content terms of its clause; a comma, a semicolon or a joining word (but, and, which,
 * because...) ends the clause. So "the bees do not perform the waggle dance but a round dance"
 * negates perform, waggle and dance, and asserts round and dance again: dance is mixed, and only
 * terms of one polarity are compared.
 */
record Statement(String text, Set<String> terms, Map<String, Polarity> polarity) {
  /** Content terms a negation word reaches: "does not drop the indexes". */
  static final int SCOPE = 3;

  enum Polarity {
    ASSERTED,
    NEGATED,
    MIXED
  }

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}_'’-]+|[,;:.()!?]");
  private static final Set<String> CUES =
      Set.of(
          "not",
          "no",
          "never",
          "none",
          "nothing",
          "nobody",
          "neither",
          "nor",
          "cannot",
          "without",
          "stop",
          "stops",
          "prevent",
          "prevents",
          "avoid",
          "avoids");

  /** "rather than every file", "instead of waiting": what follows is denied. */
  private static final Map<String, String> PAIRED_CUES = Map.of("rather", "than", "instead", "of");

  /** "unchanged", "unvacuumed": the word it negates. */
  private static final Pattern UN_WORD = Pattern.compile("un(\\p{L}{3,}(?:ed|able))");

  /** "not only", "not just": a contrast, not a denial. */
  private static final Set<String> NOT_DENIALS = Set.of("only", "just", "merely", "necessarily");

  private static final Set<String> CLAUSE_ENDS =
      Set.of(
          ",",
          ";",
          ":",
          ".",
          "(",
          ")",
          "!",
          "?",
          "but",
          "and",
          "or",
          "which",
          "that",
          "whereas",
          "while",
          "although",
          "though",
          "because",
          "since",
          "unless",
          "if",
          "when",
          "so",
          "instead",
          "rather",
          "however",
          "except",
          "whether");

  static Statement of(String text) {
    List<int[]> events = new ArrayList<>(); // {offset, 1 = cue, 2 = clause end}
    Matcher m = WORD.matcher(text);
    List<String> words = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    while (m.find()) {
      words.add(m.group().toLowerCase(Locale.ROOT).replace('’', '\''));
      starts.add(m.start());
    }
    Set<Integer> cueStarts = new HashSet<>();
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      String next = i + 1 < words.size() ? words.get(i + 1) : "";
      if (next.equals(PAIRED_CUES.get(w))) {
        events.add(new int[] {starts.get(i), 1});
        cueStarts.add(starts.get(i));
        cueStarts.add(starts.get(i + 1));
        i++;
      } else if (cue(w) && !notDenial(w, i > 0 ? words.get(i - 1) : "", next)) {
        events.add(new int[] {starts.get(i), 1});
        cueStarts.add(starts.get(i));
      } else if (CLAUSE_ENDS.contains(w)) {
        events.add(new int[] {starts.get(i), 2});
      }
    }
    Map<String, Polarity> polarity = new HashMap<>();
    Set<String> terms = new TreeSet<>();
    int e = 0;
    int reach = 0;
    for (Terms.Positioned t : Terms.positioned(text)) {
      while (e < events.size() && events.get(e)[0] <= t.start()) {
        reach = events.get(e)[1] == 1 ? SCOPE : 0;
        e++;
      }
      if (cueStarts.contains(t.start())) {
        continue; // "never", "without": the negation itself, not what it is about
      }
      Polarity p = reach > 0 ? Polarity.NEGATED : Polarity.ASSERTED;
      if (reach > 0) {
        reach--;
      }
      terms.add(t.term());
      polarity.merge(t.term(), p, Statement::merge);
      Matcher un = UN_WORD.matcher(wordAt(text, t.start()));
      if (un.matches()) {
        for (String negated : Terms.of(un.group(1))) {
          Polarity q = p == Polarity.NEGATED ? Polarity.ASSERTED : Polarity.NEGATED;
          polarity.merge(negated, q, Statement::merge);
        }
      }
    }
    return new Statement(text, Set.copyOf(terms), Map.copyOf(polarity));
  }

  /** Terms both state, one asserting what the other negates. */
  Set<String> opposed(Statement other) {
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, Polarity> e : polarity.entrySet()) {
      Polarity ours = e.getValue();
      Polarity theirs = other.polarity.get(e.getKey());
      if ((ours == Polarity.ASSERTED && theirs == Polarity.NEGATED)
          || (ours == Polarity.NEGATED && theirs == Polarity.ASSERTED)) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  private static Polarity merge(Polarity a, Polarity b) {
    return a == b ? a : Polarity.MIXED;
  }

  /** How many of this statement's terms {@code other} has. */
  int overlap(Statement other) {
    return (int) terms.stream().filter(other.terms::contains).count();
  }

  private static String wordAt(String text, int start) {
    int end = start;
    while (end < text.length() && Character.isLetter(text.charAt(end))) {
      end++;
    }
    return text.substring(start, end).toLowerCase(Locale.ROOT);
  }

  /** "not only", "whether or not": a contrast or an alternative, not a denial. */
  private static boolean notDenial(String word, String previous, String next) {
    return word.equals("not")
        && (NOT_DENIALS.contains(next) || previous.equals("or") || previous.equals("whether"));
  }

  private static boolean cue(String word) {
    return CUES.contains(word) || word.endsWith("n't");
  }
}
