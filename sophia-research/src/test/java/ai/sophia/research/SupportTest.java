package ai.sophia.research;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The written-claim test on real sentences: PostgreSQL 15's manual and a text on bee dances. */
class SupportTest {
  static final String BEES =
      "The Austrian ethologist Karl von Frisch decoded this dance language in the 1940s, and in"
          + " 1973 he shared the Nobel Prize in Physiology or Medicine with Konrad Lorenz and"
          + " Nikolaas Tinbergen. The duration of the waggle run encodes the distance to the food:"
          + " the longer the run lasts, the farther away the food is, roughly one second of"
          + " waggling for each kilometre of flight. For food closer than about 50 metres the bees"
          + " do not perform the waggle dance but a round dance, which gives no direction.";
  private static final String WORK_MEM =
      "Sets the base maximum amount of memory to be used by a query operation (such as a sort or"
          + " hash table) before writing to temporary disk files. If this value is specified"
          + " without units, it is taken as kilobytes. The default value is four megabytes (4MB)."
          + " Therefore, the total memory used could be many times the value of work_mem.";
  private static final String AUTOVACUUM =
      "Specifies the number of inserted tuples needed to trigger a VACUUM in any one table. The"
          + " default is 1000 tuples. If -1 is specified, autovacuum will not trigger a VACUUM"
          + " operation on any tables based on the number of inserts.";
  private static final String CANCEL =
      "pg_cancel_backend ( pid integer ) → boolean Cancels the current query of the session whose"
          + " backend process has the specified process ID. However only superusers can cancel"
          + " superuser backends.";
  private static final String VACUUM_FULL =
      "VACUUM FULL requires an ACCESS EXCLUSIVE lock on the table it is working on, and therefore"
          + " cannot be done in parallel with other use of the table.";

  private static List<String> gaps(String claim, String source) {
    return Support.gaps(claim, Support.Source.of(source));
  }

  @Test
  void gaps_issueExamples_wrongDatesAndFlippedNegationCaughtTrueClaimKept() {
    assertThat(
            gaps(
                "Karl von Frisch decoded the dance language in the 1840s and received a Nobel Prize"
                    + " in 1873.",
                BEES))
        .containsExactly("says 1940s, not 1840s", "says 1973, not 1873");
    assertThat(gaps("The duration of the waggle run does not encode distance.", BEES))
        .singleElement()
        .asString()
        .startsWith("states what the claim denies: \"The duration of the waggle run encodes");
    assertThat(gaps("The duration of the waggle run encodes distance.", BEES)).isEmpty();
  }

  @Test
  void gaps_wrongNumber_namesTheSourcesNumber() {
    assertThat(gaps("The default value of work_mem is 64MB.", WORK_MEM))
        .containsExactly("says four megabytes, not 64MB");
    assertThat(gaps("By default 10,000 inserted tuples trigger a VACUUM.", AUTOVACUUM))
        .containsExactly("says 1000, not 10,000");
  }

  @Test
  void gaps_numbersWrittenDifferently_match() {
    assertThat(gaps("The default value of work_mem is 4 MB.", WORK_MEM)).isEmpty();
    assertThat(gaps("By default 1,000 inserted tuples trigger a VACUUM of a table.", AUTOVACUUM))
        .isEmpty();
    assertThat(
            gaps(
                "The total memory used can be many times work_mem, four megabytes by default.",
                WORK_MEM))
        .isEmpty();
  }

  @Test
  void gaps_swappedEntity_caught() {
    assertThat(gaps("Von Frisch shared the Nobel Prize with Konrad Lorenz and Jane Goodall.", BEES))
        .containsExactly("does not mention Jane Goodall");
    assertThat(
            gaps("VACUUM FULL requires a SHARE UPDATE EXCLUSIVE lock on the table.", VACUUM_FULL))
        .containsExactly("does not mention SHARE UPDATE EXCLUSIVE");
    assertThat(
            gaps(
                "pg_terminate_backend cancels the current query of the session whose backend"
                    + " process has the specified process ID.",
                CANCEL + " pg_terminate_backend ( pid integer ) terminates the session."))
        .singleElement()
        .asString()
        .startsWith("says pg_cancel_backend, not pg_terminate_backend");
  }

  @Test
  void gaps_flippedNegation_caughtEitherWay() {
    assertThat(
            gaps("VACUUM FULL can be done in parallel with other use of the table.", VACUUM_FULL))
        .singleElement()
        .asString()
        .startsWith("denies what the claim states");
    assertThat(gaps("For food closer than about 50 metres, bees perform the waggle dance.", BEES))
        .singleElement()
        .asString()
        .startsWith("denies what the claim states");
    assertThat(
            gaps(
                "If -1 is specified, autovacuum will trigger a VACUUM on every insert.",
                AUTOVACUUM))
        .isNotEmpty();
  }

  @Test
  void gaps_trueParaphrases_kept() {
    assertThat(gaps("Karl von Frisch worked out the meaning of the bee dance in the 1940s.", BEES))
        .isEmpty();
    assertThat(gaps("A round dance gives no direction.", BEES)).isEmpty();
    assertThat(gaps("Only superusers can cancel superuser backends.", CANCEL)).isEmpty();
    assertThat(
            gaps(
                "VACUUM FULL takes an ACCESS EXCLUSIVE lock and cannot run in parallel with"
                    + " other use of the table.",
                VACUUM_FULL))
        .isEmpty();
    assertThat(gaps("Without a unit, the work_mem value is read as kilobytes.", WORK_MEM))
        .isEmpty();
  }

  @Test
  void gaps_claimAboutSomethingElse_doesNotStateIt() {
    assertThat(gaps("Yeast makes bread dough rise.", BEES)).containsExactly("does not state it");
  }

  @Test
  void written_sameTestAsTheChecker() {
    assertThat(Support.written("The duration of the waggle run encodes distance.", BEES)).isTrue();
    assertThat(Support.written("The waggle run's duration does not encode distance.", BEES))
        .isFalse();
  }

  @Test
  void between_claimsDifferingInNegationOrNumber_contradict() {
    assertThat(
            Contradictions.between(
                "The duration of the waggle run does not encode distance.",
                "The duration of the waggle run encodes distance."))
        .hasValue("one denies what the other states");
    assertThat(
            Contradictions.between(
                "Von Frisch decoded the dance language in the 1840s.",
                "Von Frisch decoded the dance language in the 1940s."))
        .hasValue("1840s against 1940s");
    assertThat(
            Contradictions.between(
                "The waggle run encodes distance.", "A round dance gives no direction."))
        .isEmpty();
  }

  /**
   * A sample of bench/claims (true and false claims about real passages): the check must catch most
   * false claims and keep most true ones. Thresholds a little below what it measures (false caught
   * 15 of 17, true kept 13 of 15 when written), so a regression fails here.
   */
  @Test
  void gaps_labelledSample_catchesFalseAndKeepsTrue() throws IOException {
    Map<String, String> passages = new HashMap<>();
    for (String line : resource("claims/passages.tsv")) {
      String[] f = line.split("\t", 3);
      passages.put(f[0], f[2]);
    }
    int trueClaims = 0;
    int kept = 0;
    int falseClaims = 0;
    int caught = 0;
    List<String> rows = resource("claims/claims.tsv");
    for (String line : rows.subList(1, rows.size())) {
      String[] f = line.split("\t", 4);
      boolean supported = gaps(f[3], passages.get(f[0])).isEmpty();
      if (f[1].equals("true")) {
        trueClaims++;
        kept += supported ? 1 : 0;
      } else {
        falseClaims++;
        caught += supported ? 0 : 1;
      }
    }
    assertThat(trueClaims + falseClaims).isGreaterThanOrEqualTo(30);
    assertThat((double) caught / falseClaims).isGreaterThanOrEqualTo(0.80);
    assertThat((double) kept / trueClaims).isGreaterThanOrEqualTo(0.80);
  }

  private static List<String> resource(String name) throws IOException {
    try (InputStream in = SupportTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.isBlank())
          .toList();
    }
  }
}
