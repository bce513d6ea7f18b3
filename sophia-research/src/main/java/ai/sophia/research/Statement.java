package ai.sophia.research;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sentence or a claim as the negation test reads it: its content terms, each asserted or negated.
 * A negation word (not, no, never, cannot, n't, without, neither, nor...) negates the next {@link
 * #SCOPE} content terms of its clause; a comma, a semicolon or a joining word (but, and, which,
 * because...) ends the clause. So "the bees do not perform the waggle dance but a round dance"
 * negates perform, waggle and dance, and asserts round and dance again: dance is mixed, and only
 * terms of one polarity are compared.
 */
record Statement(String text, Set<String> terms, Map<String, Polarity> polarity) {
  /** Content terms a negation word reaches. */
  static final int SCOPE = 3;

  enum Polarity {
    ASSERTED,
    NEGATED,
    MIXED
  }

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}_'’-]+|[,;:.()!?]");
  private static final Set<String> CUES =
      Set.of(
          "not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "cannot", "without");
  /** "not only", "not just": a contrast, not a denial. */
  private static final Set<String> NOT_DENIALS = Set.of("only", "just", "merely", "necessarily");

  private static final Set<String> CLAUSE_ENDS =
      Set.of(
          ",", ";", ":", ".", "(", ")", "!", "?", "but", "and", "or", "which", "that", "whereas",
          "while", "although", "though", "because", "since", "unless", "if", "when", "so",
          "instead", "rather", "however", "except", "whether");

  static Statement of(String text) {
    List<int[]> events = new ArrayList<>(); // {offset, 1 = cue, 2 = clause end}
    Matcher m = WORD.matcher(text);
    List<String> words = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    while (m.find()) {
      words.add(m.group().toLowerCase(Locale.ROOT).replace('’', '\''));
      starts.add(m.start());
    }
    Set<Integer> cueStarts = new java.util.HashSet<>();
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      String next = i + 1 < words.size() ? words.get(i + 1) : "";
      if (cue(w) && !(w.equals("not") && NOT_DENIALS.contains(next))) {
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
      polarity.merge(t.term(), p, (a, b) -> a == b ? a : Polarity.MIXED);
    }
    return new Statement(text, Set.copyOf(terms), Map.copyOf(polarity));
  }

  /** Terms both state, one asserting what the other negates. */
  Set<String> opposed(Statement other) {
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, Polarity> e : polarity.entrySet()) {
      Polarity theirs = other.polarity.get(e.getKey());
      if (e.getValue() != Polarity.MIXED
          && theirs != null
          && theirs != Polarity.MIXED
          && theirs != e.getValue()) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** How many of this statement's terms {@code other} has. */
  int overlap(Statement other) {
    return (int) terms.stream().filter(other.terms::contains).count();
  }

  private static boolean cue(String word) {
    return CUES.contains(word) || word.endsWith("n't");
  }
}
