package ai.sophia.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.sophia.error.BudgetExceededException;
import ai.sophia.health.HealthStatus;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real gateway and LangChain4j clients against scripted providers over loopback HTTP. */
class RoutingModelGatewayTest extends GatewayFixture {
  @Test
  void chat_plainAnswer_returnsTextUsageAndCost() {
    ScriptedOpenAiServer server = openAi();
    server.reply("Write-ahead logging records changes first.", 1000, 200);
    RoutingModelGateway gateway =
        gateway(new TestModels().openrouter(server).price("openrouter:test/primary", 3.0, 15.0));

    ModelReply reply = gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT);

    assertThat(reply.text()).isEqualTo("Write-ahead logging records changes first.");
    assertThat(reply.usage()).isEqualTo(new TokenUsage(1000, 200));
    assertThat(reply.costUsd()).isCloseTo(0.006, within(1e-9));
    assertThat(reply.model()).isEqualTo(new ModelRef("openrouter", "test/primary"));
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.attempts()).extracting(Attempt::outcome).containsExactly("ok");
    var request = server.requests().get(0);
    assertThat(request.header("authorization")).contains("Bearer " + TestModels.OPENROUTER_KEY);
    JsonNode body = server.bodies().get(0);
    assertThat(body.path("model").asText()).isEqualTo("test/primary");
    assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("Hello?");
    assertThat(logs.warnings()).isEmpty();
  }

  @Test
  void chat_answered_recordsUsageRowMetersAndMetric() {
    ScriptedOpenAiServer server = openAi();
    server.reply("one", 1000, 200).reply("two", 500, 100);
    RoutingModelGateway gateway =
        gateway(new TestModels().openrouter(server).price("openrouter:test/primary", 3.0, 15.0));

    gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT);
    gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT);

    List<UsageRow> rows =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT api_key_id, agent, model, outcome, input_tokens, output_tokens,"
                            + " cost_usd, day FROM model_usage ORDER BY id")
                    .map(
                        (rs, ctx) ->
                            new UsageRow(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getLong(5),
                                rs.getLong(6),
                                rs.getDouble(7),
                                rs.getString(8)))
                    .list());
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0))
        .isEqualTo(
            new UsageRow(
                "key-1",
                "researcher",
                "openrouter:test/primary",
                "ok",
                1000,
                200,
                rows.get(0).cost(),
                java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString()));
    assertThat(rows.get(0).cost()).isCloseTo(0.006, within(1e-9));
    UsageSummary summary = gateway.usage();
    assertThat(summary.calls()).isEqualTo(2);
    assertThat(summary.inputTokens()).isEqualTo(1500);
    assertThat(summary.outputTokens()).isEqualTo(300);
    assertThat(summary.costTodayUsd()).isCloseTo(0.009, within(1e-9));
    assertThat(summary.byModel()).containsOnlyKeys("openrouter:test/primary");
    assertThat(usage.spentUsd("key-1", java.time.LocalDate.now(java.time.ZoneOffset.UTC)))
        .isCloseTo(0.009, within(1e-9));
    assertThat(
            meters
                .get("sophia.model.calls")
                .tags("model", "openrouter:test/primary", "outcome", "ok")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            meters
                .get("sophia.model.tokens")
                .tags("model", "openrouter:test/primary", "direction", "input")
                .counter()
                .count())
        .isEqualTo(1500);
    assertThat(meters.get("sophia.model.cost").counter().count()).isCloseTo(0.009, within(1e-9));
    assertThat(operations.recentMetrics("model.call", 10)).hasSize(2);
    assertThat(operations.recentMetrics("model.call", 10).get(0).labels())
        .containsEntry("model", "openrouter:test/primary")
        .containsEntry("outcome", "ok");
  }

  private record UsageRow(
      String key,
      String agent,
      String model,
      String outcome,
      long in,
      long out,
      double cost,
      String day) {}

  @Test
  void chat_unpricedModel_costsZeroAndSaysSoOnce() {
    ScriptedOpenAiServer server = openAi();
    server.reply("a").reply("b");
    RoutingModelGateway gateway = gateway(new TestModels().openrouter(server));

    ModelReply first = gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT);
    gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT);

    assertThat(first.costUsd()).isZero();
    assertThat(logs.lines()).filteredOn(l -> l.contains("no price for model")).hasSize(1);
  }

  @Test
  void available_noCredentials_falseAndModelSkippedWithoutRequest() {
    ScriptedOpenAiServer server = openAi();
    TestModels t = new TestModels();
    t.openrouterUrl = server.baseUrl();
    RoutingModelGateway gateway = gateway(t);

    assertThat(gateway.available(gateway.defaultPolicy())).isFalse();
    assertThatThrownBy(() -> gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT))
        .isInstanceOfSatisfying(
            ModelUnavailableException.class,
            e ->
                assertThat(e.attempts())
                    .containsExactly(
                        new Attempt(
                            new ModelRef("openrouter", "test/primary"),
                            "skipped",
                            "provider not configured",
                            0)));
    assertThat(server.requests()).isEmpty();
    assertThat(gateway.healthChecks())
        .singleElement()
        .satisfies(
            check -> {
              assertThat(check.name()).isEqualTo("models");
              assertThat(check.critical()).isFalse();
              assertThat(check.check().state()).isEqualTo(HealthStatus.State.degraded);
              assertThat(check.check().detail()).startsWith("offline mode: no model provider");
            });
  }

  @Test
  void chat_offlineMode_refusesWithoutRequest() {
    ScriptedOpenAiServer server = openAi();
    TestModels t = new TestModels().openrouter(server);
    t.mode = ai.sophia.config.SophiaConfig.Mode.offline;
    RoutingModelGateway gateway = gateway(t);

    assertThat(gateway.available(gateway.defaultPolicy())).isFalse();
    assertThatThrownBy(() -> gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT))
        .isInstanceOf(ModelUnavailableException.class)
        .hasMessageContaining("offline");
    assertThatThrownBy(() -> gateway.stream(gateway.defaultPolicy(), HELLO, CONTEXT, token -> {}))
        .isInstanceOf(ModelUnavailableException.class);
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void chat_budgetSpent_refusedBeforeAnyRequest() {
    ScriptedOpenAiServer server = openAi();
    TestModels t = new TestModels().openrouter(server);
    t.keyBudgets.put("key-1", 0.50);
    RoutingModelGateway gateway = gateway(t);
    usage.record(
        new UsageRecord(
            Instant.now(), "key-1", "", "openrouter:test/primary", "ok", 10, 10, 0.50, 100));

    assertThatThrownBy(() -> gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT))
        .isInstanceOf(BudgetExceededException.class)
        .hasMessageContaining("'key-1'")
        .hasMessageContaining("$0.5000")
        .hasMessageContaining("spent $0.5000");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void chat_requestInputWouldPassBudget_refused() {
    ScriptedOpenAiServer server = openAi();
    TestModels t =
        new TestModels().openrouter(server).price("openrouter:test/primary", 100.0, 100.0);
    t.dailyBudget = 0.01;
    RoutingModelGateway gateway = gateway(t);
    // 8,000 characters ≈ 2,000 tokens at $100 per million = $0.20, over the $0.01 budget.
    ModelRequest big = ModelRequest.of(List.of(new Message.User("x".repeat(8000))));

    assertThatThrownBy(() -> gateway.chat(gateway.defaultPolicy(), big, CONTEXT))
        .isInstanceOf(BudgetExceededException.class)
        .hasMessageContaining("'key-1'")
        .hasMessageContaining("would cost");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void chat_otherKeysBudget_doesNotLimitThisKey() {
    ScriptedOpenAiServer server = openAi();
    server.reply("fine");
    TestModels t = new TestModels().openrouter(server);
    t.keyBudgets.put("key-2", 0.01);
    RoutingModelGateway gateway = gateway(t);
    usage.record(
        new UsageRecord(Instant.now(), "key-2", "", "openrouter:test/primary", "ok", 1, 1, 5.0, 1));

    assertThat(gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT).text()).isEqualTo("fine");
  }
}
