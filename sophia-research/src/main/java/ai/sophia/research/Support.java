package ai.sophia.research;

import java.util.Locale;
import java.util.Set;

/**
 * Whether a source supports a claim, by two cheap tests. A quoted claim (extractive) must appear
 * verbatim in the source. A written claim (model) must share enough of its content words with the
 * source: at least {@link #MIN_SHARED} of its terms — English stems without stop words, numbers
 * included — must occur in the source's text. It catches citations to the wrong source and claims
 * about things the source never mentions; it cannot catch a claim that reuses a source's words to
 * say something else.
 */
final class Support {
  /** Share of a written claim's content terms that must occur in a source it cites. */
  static final double MIN_SHARED = 0.6;

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

  /** The test a quoted claim must pass: it is in the source, up to case and spacing. */
  static boolean verbatim(String claim, String source) {
    return normalize(source).contains(normalize(claim));
  }

  private static String normalize(String s) {
    return s.replaceAll("\\s+", " ").strip().toLowerCase(Locale.ROOT);
  }
}
