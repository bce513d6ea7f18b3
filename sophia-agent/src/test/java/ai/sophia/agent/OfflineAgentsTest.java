package ai.sophia.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OfflineAgentsTest {
  @Test
  void digest_sameTextInTwoHits_quotesEachSentenceOnce() {
    String passage =
        "VACUUM reclaims storage occupied by dead tuples. It can run in parallel with reads and"
            + " writes. VACUUM FULL rewrites the whole table.";
    String hits =
        "[1] VACUUM — file:///manual/sql-vacuum.html (research_data)\n"
            + passage
            + "\n\n[2] VACUUM — file:///manual/sql-vacuum.html (documents)\n"
            + passage
            + "\n\n[3] Routine Vacuuming — file:///manual/routine-vacuuming.html (documents)\n"
            + "PostgreSQL databases require periodic maintenance known as vacuuming.";

    String digest = OfflineAgents.digest(hits);

    assertThat(digest)
        .startsWith(
            "VACUUM reclaims storage occupied by dead tuples. It can run in parallel with reads"
                + " and writes. [1] VACUUM FULL rewrites the whole table. [2] PostgreSQL databases"
                + " require periodic maintenance known as vacuuming. [3]");
    assertThat(digest.split("VACUUM reclaims", -1)).hasSize(2);
    assertThat(digest).contains("Sources:\n[1] VACUUM", "[3] Routine Vacuuming");
  }
}
