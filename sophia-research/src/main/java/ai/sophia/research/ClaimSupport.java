package ai.sophia.research;

import java.util.List;
import java.util.Objects;

/**
 * Whether a passage supports a claim written about it, by the test Sophia holds a model's cited
 * claims to ({@link Support#gaps}); for benchmarks and tools outside this package.
 */
public final class ClaimSupport {
  private ClaimSupport() {}

  /** {@code reasons} complete "the passage ..." ("says 1940s, not 1840s"); empty when supported. */
  public record Verdict(boolean supported, List<String> reasons) {
    public Verdict {
      reasons = List.copyOf(reasons);
    }
  }

  /** The check model answers get: terms, numbers, names and negation. */
  public static Verdict check(String claim, String passage) {
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(passage, "passage");
    List<String> gaps = Support.gaps(claim, Support.Source.of(passage));
    return new Verdict(gaps.isEmpty(), gaps);
  }

  /** The earlier check, shared content terms alone (at least 60%); kept as a baseline. */
  public static boolean byTermsOnly(String claim, String passage) {
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(passage, "passage");
    return Support.byTerms(claim, passage);
  }
}
