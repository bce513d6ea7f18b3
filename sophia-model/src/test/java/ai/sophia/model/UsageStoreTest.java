package ai.sophia.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The usage store's contract, on SQLite and on PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class UsageStoreTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  private static final Instant TODAY = Instant.parse("2026-03-02T10:00:00Z");
  private static final Instant YESTERDAY = Instant.parse("2026-03-01T23:59:00Z");

  private static UsageRecord call(Instant at, String key, String agent, String model, double usd) {
    return new UsageRecord(at, key, agent, model, usd > 0 ? "ok" : "error", 100, 20, usd, 50);
  }

  @Test
  void spentUsd_callsOnTwoDaysAndKeys_sumsOnlyThatKeysDay() {
    try (Database db = backend.open(dir)) {
      UsageStore store = new SqlUsageStore(db);
      store.record(call(TODAY, "key_a", "", "openai:gpt", 0.25));
      store.record(call(TODAY, "key_a", "", "openai:gpt", 0.5));
      store.record(call(YESTERDAY, "key_a", "", "openai:gpt", 4));
      store.record(call(TODAY, "key_b", "", "openai:gpt", 8));

      assertThat(store.spentUsd("key_a", LocalDate.parse("2026-03-02")))
          .isCloseTo(0.75, within(1e-9));
      assertThat(store.spentUsd("key_a", LocalDate.parse("2026-03-01"))).isCloseTo(4, within(1e-9));
      assertThat(store.spentUsd("key_c", LocalDate.parse("2026-03-02"))).isZero();
    }
  }

  @Test
  void summary_severalModelsAndAgents_totalsPerName() {
    try (Database db = backend.open(dir)) {
      UsageStore store = new SqlUsageStore(db);
      store.record(call(TODAY, "k", "writer", "openai:gpt", 0.5));
      store.record(call(TODAY, "k", "", "anthropic:claude", 1));
      store.record(call(YESTERDAY, "k", "writer", "anthropic:claude", 2));
      store.record(call(TODAY, "k", "Zeta", "openai:gpt", 0));

      UsageSummary s = store.summary(LocalDate.parse("2026-03-02"));

      assertThat(s.calls()).isEqualTo(4);
      assertThat(s.ok()).isEqualTo(3);
      assertThat(s.inputTokens()).isEqualTo(400);
      assertThat(s.costTodayUsd()).isCloseTo(1.5, within(1e-9));
      assertThat(s.costTotalUsd()).isCloseTo(3.5, within(1e-9));
      assertThat(s.byModel()).containsOnlyKeys("anthropic:claude", "openai:gpt");
      assertThat(s.byModel().get("anthropic:claude").calls()).isEqualTo(2);
      assertThat(s.byModel().get("anthropic:claude").costTodayUsd()).isCloseTo(1, within(1e-9));
      assertThat(s.byAgent()).containsOnlyKeys("(none)", "Zeta", "writer");
      assertThat(s.byAgent().get("writer").costTotalUsd()).isCloseTo(2.5, within(1e-9));
    }
  }
}
