package ai.sophia.research;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a source supports a claim. A quoted claim (extractive) must appear verbatim in the
 * source. A written claim (model) must pass four tests ({@link #gaps}):
 *
 * <ol>
 *   <li>terms: at least {@link #MIN_SHARED} of its content terms — English stems without stop
 *       words, numbers included — occur in the source;
 *   <li>numbers: every number, year, decade and quantity it states occurs in the source ({@link
 *       Quantities}: 1,000 is 1000, "three" is 3, 8 kB is 8kB, the 1940s are not the 1840s);
 *   <li>names: every identifier, keyword in capitals and multiword name it uses occurs in the
 *       source ({@link Names});
 *   <li>negation: it does not deny what the source sentence that best covers it asserts, nor assert
 *       what that sentence denies ({@link Statement}).
 * </ol>
 *
 * It cannot catch a claim that keeps the source's words, numbers and polarity and still says
 * something else (a subject and an object swapped, two numbers of the source exchanged).
 */
final class Support {
  /** Share of a written claim's content terms that must occur in a source it cites. */
  static final double MIN_SHARED = 0.6;

  /** Share of a claim's terms the best sentence must cover for its polarity to count. */
  static final double MIN_COVER = 0.4;

  /** A source prepared once for {@link #gaps}: its terms, sentences, numbers and plain text. */
  record Source(
      Set<String> terms,
      List<Statement> sentences,
      Set<Quantities.Quantity> quantities,
      String normalized) {
    static Source of(String text) {
      List<Statement> sentences = new ArrayList<>();
      for (String paragraph : text.split("\\n")) {
        BreakIterator it = BreakIterator.getSentenceInstance(Locale.ENGLISH);
        it.setText(paragraph);
        int start = it.first();
        for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
          String s = paragraph.substring(start, end).strip();
          if (!s.isEmpty()) {
            sentences.add(Statement.of(s));
          }
        }
      }
      return new Source(
          Terms.of(text), List.copyOf(sentences), Quantities.of(text), Names.normalize(text));
    }
  }

  private Support() {}

  /**
   * The test a model's claim must pass: enough of {@code claimTerms} are in {@code sourceTerms}.
   */
  static boolean byTerms(Set<String> claimTerms, Set<String> sourceTerms) {
    if (claimTerms.isEmpty()) {
      return false; // nothing a source could be checked against
    }
    long shared = claimTerms.stream().filter(sourceTerms::contains).count();
    return shared >= MIN_SHARED * claimTerms.size();
  }

  static boolean byTerms(String claim, String source) {
    return byTerms(Terms.of(claim), Terms.of(source));
  }

  /** The test a model's claim must pass: {@link #gaps} finds nothing. */
  static boolean written(String claim, String source) {
    return gaps(claim, Source.of(source)).isEmpty();
  }

  /**
   * Why {@code source} does not support {@code claim}, each said so that it completes "source n
   * ..." ({@code says 1940s, not 1840s}); empty when it does.
   */
  static List<String> gaps(String claim, Source source) {
    Statement stated = Statement.of(claim);
    if (!byTerms(Terms.of(claim), source.terms())) {
      return List.of("does not state it");
    }
    List<Statement> best = bestSentences(stated, source);
    List<String> gaps = new ArrayList<>();
    for (Quantities.Quantity q : Quantities.of(claim)) {
      if (!Quantities.stated(q, source.quantities())) {
        Optional<Quantities.Quantity> instead = Quantities.counterpart(q, source.quantities());
        gaps.add(
            instead
                .map(i -> "says " + i.said() + ", not " + q.said())
                .orElse("does not mention " + q.said()));
      }
    }
    List<String> unnamed =
        Names.of(claim).stream().filter(n -> !Names.mentioned(n, source.normalized())).toList();
    if (!unnamed.isEmpty()) {
      gaps.add("does not mention " + String.join(" or ", unnamed));
    } else {
      swappedCode(claim, best).ifPresent(gaps::add);
    }
    if (!best.isEmpty() && best.stream().noneMatch(s -> stated.opposed(s).isEmpty())) {
      Statement s = best.get(0);
      gaps.add(
          (negates(stated, s)
                  ? "states what the claim denies: \""
                  : "denies what the claim states: \"")
              + abbreviate(s.text())
              + "\"");
    }
    return List.copyOf(gaps);
  }

  /**
   * "pg_terminate_backend cancels the current query" where the sentence saying so names
   * pg_cancel_backend: a code name of the claim that the best sentences lack, while they name
   * another the claim does not.
   */
  private static Optional<String> swappedCode(String claim, List<Statement> best) {
    Set<String> named = Names.of(claim);
    List<String> ours = named.stream().filter(Names::code).toList();
    if (best.isEmpty() || ours.isEmpty()) {
      return Optional.empty();
    }
    Set<String> theirs =
        best.stream()
            .flatMap(s -> Names.of(s.text()).stream())
            .filter(Names::code)
            .collect(Collectors.toCollection(LinkedHashSet::new));
    List<String> missing = ours.stream().filter(n -> !theirs.contains(n)).toList();
    List<String> others = theirs.stream().filter(n -> !named.contains(n)).toList();
    if (missing.isEmpty() || others.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "says "
            + String.join(", ", others)
            + ", not "
            + String.join(", ", missing)
            + ": \""
            + abbreviate(best.get(0).text())
            + "\"");
  }

  /** The source sentences that share the most of the claim's terms, if they share enough. */
  static List<Statement> bestSentences(Statement claim, Source source) {
    int most = source.sentences().stream().mapToInt(claim::overlap).max().orElse(0);
    if (most < 2 || most < MIN_COVER * claim.terms().size()) {
      return List.of();
    }
    return source.sentences().stream()
        .filter(s -> claim.overlap(s) == most)
        .collect(Collectors.toList());
  }

  /** The test a quoted claim must pass: it is in the source, up to case and spacing. */
  static boolean verbatim(String claim, String source) {
    return normalize(source).contains(normalize(claim));
  }

  /** Whether the claim denies (rather than asserts) the terms it and the sentence disagree on. */
  private static boolean negates(Statement claim, Statement sentence) {
    return claim.opposed(sentence).stream()
        .anyMatch(t -> claim.polarity().get(t) == Statement.Polarity.NEGATED);
  }

  private static String abbreviate(String text) {
    return text.length() <= 120 ? text : text.substring(0, 117) + "...";
  }

  private static String normalize(String s) {
    return s.replaceAll("\\s+", " ").strip().toLowerCase(Locale.ROOT);
  }
}
