package ai.sophia.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.InvalidInputException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's contract, on SQLite and on PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class ResearchStoreTest {
  @Parameter Backend backend;

  @TempDir Path dir;

  private static ResearchRecord record(String id, Instant at) {
    return new ResearchRecord(
        id, "what is " + id, "duckduckgo", "extractive", 0.75, 4, "{\"id\":\"" + id + "\"}", at);
  }

  @Test
  void save_thenReopen_readsBackEveryField() {
    Instant at = Instant.parse("2025-03-04T05:06:07.123456Z");
    try (Database db = backend.open(dir)) {
      new SqlResearchStore(db).save(record("r1", at));
    }
    try (Database db = backend.open(dir)) {
      ResearchRecord found = new SqlResearchStore(db).find("r1").orElseThrow();
      assertThat(found)
          .isEqualTo(
              new ResearchRecord(
                  "r1",
                  "what is r1",
                  "duckduckgo",
                  "extractive",
                  0.75,
                  4,
                  "{\"id\":\"r1\"}",
                  at.truncatedTo(ChronoUnit.MILLIS)));
    }
  }

  @Test
  void find_unknownId_empty() {
    try (Database db = backend.open(dir)) {
      assertThat(new SqlResearchStore(db).find("nope")).isEmpty();
    }
  }

  @Test
  void save_sameIdTwice_keepsOneReplacedRecord() {
    try (Database db = backend.open(dir)) {
      SqlResearchStore store = new SqlResearchStore(db);
      store.save(record("r1", Instant.ofEpochMilli(1000)));
      store.save(
          new ResearchRecord("r1", "q2", "local", "extractive", 0.1, 0, "{}", Instant.now()));
      assertThat(store.count()).isEqualTo(1);
      assertThat(store.find("r1").orElseThrow().query()).isEqualTo("q2");
    }
  }

  @Test
  void recent_manyRecords_newestFirstAndLimited() {
    try (Database db = backend.open(dir)) {
      SqlResearchStore store = new SqlResearchStore(db);
      Instant base = Instant.parse("2025-01-01T00:00:00Z");
      store.save(record("middle", base.plusSeconds(60)));
      store.save(record("oldest", base));
      store.save(record("newest", base.plusSeconds(120)));
      store.save(record("tie-later", base)); // same time as "oldest", saved after it

      assertThat(store.recent("", 3))
          .extracting(ResearchRecord::id)
          .containsExactly("newest", "middle", "tie-later");
      assertThat(store.recent("", 10)).hasSize(4);
      assertThat(store.count()).isEqualTo(4);
    }
  }

  @Test
  void recent_containing_filtersByQuestionIgnoringCaseAndTakesWildcardsLiterally() {
    try (Database db = backend.open(dir)) {
      SqlResearchStore store = new SqlResearchStore(db);
      Instant at = Instant.parse("2025-01-01T00:00:00Z");
      store.save(new ResearchRecord("a", "How do I VACUUM a table?", "", "", 0.5, 1, "{}", at));
      store.save(new ResearchRecord("b", "What is 100% CPU?", "", "", 0.5, 1, "{}", at));
      store.save(new ResearchRecord("c", "vacuum_cost_delay", "", "", 0.5, 1, "{}", at));

      assertThat(store.recent("vacuum", 10))
          .extracting(ResearchRecord::id)
          .containsExactlyInAnyOrder("a", "c");
      assertThat(store.recent("0% c", 10)).extracting(ResearchRecord::id).containsExactly("b");
      assertThat(store.recent("%", 10)).extracting(ResearchRecord::id).containsExactly("b");
      assertThat(store.recent("m_c", 10)).extracting(ResearchRecord::id).containsExactly("c");
      assertThat(store.recent("m_x", 10)).isEmpty();
    }
  }

  @Test
  void recent_limitOutOfRange_throwsNamingLimit() {
    try (Database db = backend.open(dir)) {
      SqlResearchStore store = new SqlResearchStore(db);
      assertThatThrownBy(() -> store.recent("", 0))
          .isInstanceOfSatisfying(
              InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("limit"));
      assertThatThrownBy(() -> store.recent("", Limits.MAX_ROWS + 1)).hasMessageContaining("limit");
    }
  }
}
