package ai.sophia.research;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResearchRequestsTest {

  @Test
  void validate_defaults_fillsSourcesAndEngine() {
    ResearchRequest r = ResearchRequests.validate("  what is WAL?  ", null, null, "duckduckgo");
    assertThat(r.query()).isEqualTo("what is WAL?");
    assertThat(r.sourcesLimit()).isEqualTo(3);
    assertThat(r.searchEngine()).isEqualTo("duckduckgo");
  }

  @Test
  void validate_missingOrBlankQuery_namesQuery() {
    assertThatThrownBy(() -> ResearchRequests.validate(null, 3, "local", "local"))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("query"));
    assertThatThrownBy(() -> ResearchRequests.validate("   ", 3, "local", "local"))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("query"));
  }

  @Test
  void validate_queryOverLimit_saysLengthAndLimit() {
    String q = "x".repeat(1001);
    assertThatThrownBy(() -> ResearchRequests.validate(q, 3, "local", "local"))
        .hasMessageContaining("1001")
        .hasMessageContaining("1000");
    assertThat(ResearchRequests.validate("x".repeat(1000), 3, "local", "local").query())
        .hasSize(1000);
  }

  @Test
  void validate_sourcesOutOfRange_namesSourcesLimit() {
    for (int bad : new int[] {0, 21, -5}) {
      assertThatThrownBy(() -> ResearchRequests.validate("q", bad, "local", "local"))
          .isInstanceOfSatisfying(
              InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("sources_limit"));
    }
    assertThat(ResearchRequests.validate("q", 20, "local", "local").sourcesLimit()).isEqualTo(20);
  }

  @Test
  void validate_unknownEngine_namesSearchEngineAndListsKnown() {
    assertThatThrownBy(() -> ResearchRequests.validate("q", 3, "bing", "local"))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("search_engine"))
        .hasMessageContaining("bing")
        .hasMessageContaining("duckduckgo");
    assertThat(ResearchRequests.validate("q", 3, "SearXNG", "local").searchEngine())
        .isEqualTo("searxng");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u200b", "\u0001", "\ud800", "\ufffd", "\u200b\u0007 \u00ad", "?!"})
  void validate_queryWithoutLettersOrDigits_namesQueryNoSearchableWords(String query) {
    assertThatThrownBy(() -> ResearchRequests.validate(query, 3, "local", "local"))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("query"))
        .hasMessageContaining("has no searchable words");
  }

  @ParameterizedTest
  @ValueSource(strings = {"WAL", "42", "\u00e9t\u00e9", "\u6771\u4eac", "\u200bWAL", "C++"})
  void searchable_anyLetterOrDigit_acceptedUnchanged(String query) {
    assertThat(ResearchRequests.searchable("q", query)).isEqualTo(query);
  }
}
