package ai.sophia.research;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Whether two claims of one answer contradict each other: they share most of their content terms
 * ({@link #MIN_SHARED} of the terms of either, numbers aside) and one negates what the other
 * asserts, or they state different numbers of the same kind ("in the 1940s" and "in the 1840s").
 */
final class Contradictions {
  /**
   * Share of content terms (numbers aside) two claims must have in common to be about one thing.
   */
  static final double MIN_SHARED = 0.7;

  private Contradictions() {}

  /** How {@code a} and {@code b} disagree ("1840s against 1940s"), if they are about one thing. */
  static Optional<String> between(String a, String b) {
    Statement sa = Statement.of(a);
    Statement sb = Statement.of(b);
    Set<Quantities.Quantity> qa = Quantities.of(a);
    Set<Quantities.Quantity> qb = Quantities.of(b);
    Set<String> ta = wordsOnly(sa.terms(), qa);
    Set<String> tb = wordsOnly(sb.terms(), qb);
    long shared = ta.stream().filter(tb::contains).count();
    if (ta.isEmpty() || tb.isEmpty() || shared < MIN_SHARED * Math.max(ta.size(), tb.size())) {
      return Optional.empty();
    }
    if (!sa.opposed(sb).isEmpty()) {
      return Optional.of("one denies what the other states");
    }
    for (Quantities.Quantity q : qa) {
      if (!Quantities.stated(q, qb)) {
        Optional<Quantities.Quantity> other = Quantities.counterpart(q, qb);
        if (other.isPresent()) {
          return Optional.of(q.said() + " against " + other.get().said());
        }
      }
    }
    return Optional.empty();
  }

  /** The terms without the numbers, which are compared apart. */
  private static Set<String> wordsOnly(Set<String> terms, Set<Quantities.Quantity> quantities) {
    Set<String> out = new HashSet<>(terms);
    out.removeIf(t -> Character.isDigit(t.charAt(0)));
    quantities.forEach(q -> out.remove(q.value()));
    return out;
  }
}
