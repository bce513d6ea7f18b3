package ai.sophia.bench;

import ai.sophia.error.SophiaException;
import ai.sophia.research.ClaimSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The citation check benchmark ({@code bench/claims.sh}): labelled true and false claims about real
 * passages, each checked by the rule model answers were held to before (shared content terms alone)
 * and by today's ({@link ClaimSupport#check}). Prints a Markdown table per kind: the share of false
 * claims caught and of true claims kept, on the even-numbered rows (held out; the odd ones were
 * used to tune the check) and on all rows.
 *
 * <p>Flags: {@code --passages FILE} (id TAB source TAB text), {@code --claims FILE} (a header, then
 * passage TAB true|false TAB kind TAB claim), {@code --mistakes odd|even|all|none} (list the claims
 * today's check gets wrong on those rows, with its reasons).
 */
public final class ClaimEval {
  private static final Set<String> FLAGS = Set.of("passages", "claims", "mistakes");
  private static final List<String> KINDS =
      List.of(
          "true_paraphrase",
          "true_verbatim_fragment",
          "wrong_number",
          "wrong_date",
          "flipped_negation",
          "swapped_entity",
          "unsupported");

  private ClaimEval() {}

  /** One labelled claim; {@code row} counts from 1 after the header. */
  record Claim(int row, String passage, boolean truth, String kind, String text) {}

  /** How one rule did on one claim: right when it keeps a true claim or drops a false one. */
  record Outcome(Claim claim, boolean before, ClaimSupport.Verdict after) {
    boolean rightBefore() {
      return before == claim.truth();
    }

    boolean rightAfter() {
      return after.supported() == claim.truth();
    }
  }

  public static void main(String[] args) {
    try {
      run(args);
    } catch (SophiaException e) {
      System.err.println("claims: " + e.getMessage());
      System.exit(2);
    }
  }

  static void run(String[] args) {
    Flags flags = Flags.parse(args, FLAGS);
    Map<String, String> passages = passages(flags.path("passages", "bench/claims/passages.tsv"));
    List<Claim> claims = claims(flags.path("claims", "bench/claims/claims.tsv"), passages);
    List<Outcome> outcomes = new ArrayList<>();
    for (Claim c : claims) {
      String passage = passages.get(c.passage());
      outcomes.add(
          new Outcome(
              c,
              ClaimSupport.byTermsOnly(c.text(), passage),
              ClaimSupport.check(c.text(), passage)));
    }
    long trueCount = claims.stream().filter(Claim::truth).count();
    System.out.printf(
        "%nCitation check over %d passages, %d claims (%d true, %d false)%n%n",
        passages.size(), claims.size(), trueCount, claims.size() - trueCount);
    System.out.println(
        "Share of true claims kept and of false claims caught; before = shared terms alone (≥ 60%),"
            + " after = terms, numbers, names and negation.");
    System.out.println();
    System.out.print(table(outcomes));
    String mistakes = flags.text("mistakes", "none");
    if (!mistakes.equals("none")) {
      System.out.println();
      for (Outcome o : outcomes) {
        if (!o.rightAfter() && inSplit(o.claim().row(), mistakes)) {
          Claim c = o.claim();
          System.out.printf(
              "row %d %s %s %s: %s%n    %s%n",
              c.row(),
              c.passage(),
              c.truth() ? "KEPT?" : "MISSED",
              c.kind(),
              c.text(),
              o.after().reasons());
        }
      }
    }
  }

  static String table(List<Outcome> outcomes) {
    StringBuilder md = new StringBuilder();
    md.append(
        "| kind | measures | n even | even: before → after | n all | all: before → after |\n");
    md.append("|---|---|---:|---:|---:|---:|\n");
    Map<String, List<Outcome>> byKind = new LinkedHashMap<>();
    KINDS.forEach(k -> byKind.put(k, new ArrayList<>()));
    for (Outcome o : outcomes) {
      byKind.computeIfAbsent(o.claim().kind(), k -> new ArrayList<>()).add(o);
    }
    for (Map.Entry<String, List<Outcome>> e : byKind.entrySet()) {
      row(md, e.getKey(), e.getValue());
    }
    row(md, "**all true**", outcomes.stream().filter(o -> o.claim().truth()).toList());
    row(md, "**all false**", outcomes.stream().filter(o -> !o.claim().truth()).toList());
    return md.toString();
  }

  private static void row(StringBuilder md, String name, List<Outcome> all) {
    if (all.isEmpty()) {
      return;
    }
    List<Outcome> even = all.stream().filter(o -> o.claim().row() % 2 == 0).toList();
    String measures = all.get(0).claim().truth() ? "kept" : "caught";
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %d | %s | %d | %s |%n",
            name,
            measures,
            even.size(),
            change(even),
            all.size(),
            change(all)));
  }

  private static String change(List<Outcome> outcomes) {
    if (outcomes.isEmpty()) {
      return "–";
    }
    long before = outcomes.stream().filter(Outcome::rightBefore).count();
    long after = outcomes.stream().filter(Outcome::rightAfter).count();
    return percent(before, outcomes.size()) + " → " + percent(after, outcomes.size());
  }

  private static String percent(long n, int of) {
    return Math.round(100.0 * n / of) + " %";
  }

  private static boolean inSplit(int row, String split) {
    return switch (split) {
      case "odd" -> row % 2 == 1;
      case "even" -> row % 2 == 0;
      default -> true;
    };
  }

  private static Map<String, String> passages(Path file) {
    Map<String, String> out = new HashMap<>();
    for (String line : lines(file)) {
      String[] f = line.split("\t", 3);
      if (f.length != 3) {
        throw new BenchException(file + ": expected id TAB source TAB text: " + line);
      }
      out.put(f[0], f[2]);
    }
    return out;
  }

  private static List<Claim> claims(Path file, Map<String, String> passages) {
    List<String> lines = lines(file);
    List<Claim> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split("\t", 4);
      if (f.length != 4 || !passages.containsKey(f[0]) || !Set.of("true", "false").contains(f[1])) {
        throw new BenchException(
            file + " row " + i + ": bad row or unknown passage: " + lines.get(i));
      }
      out.add(new Claim(i, f[0], f[1].equals("true"), f[2], f[3]));
    }
    return out;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + " failed", e);
    }
  }
}
