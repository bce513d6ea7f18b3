package ai.sophia.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Retries, fallbacks, Retry-After, timeouts and circuit breakers, over real HTTP. */
class GatewayResilienceTest extends GatewayFixture {

  @Test
  void chat_primaryAnswers500_fallsBackToNextModel() {
    ScriptedOpenAiServer openrouter = openAi();
    ScriptedAnthropicServer claude = anthropic();
    openrouter.error(500).error(500);
    claude.reply("from the fallback");
    TestModels t =
        new TestModels()
            .openrouter(openrouter)
            .anthropic(claude)
            .chain("openrouter:test/primary", "anthropic:claude-test");
    t.maxAttempts = 2;
    RoutingModelGateway gateway = gateway(t);

    ModelReply reply = gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT);

    assertThat(reply.text()).isEqualTo("from the fallback");
    assertThat(reply.model()).isEqualTo(new ModelRef("anthropic", "claude-test"));
    assertThat(reply.attempts())
        .extracting(Attempt::outcome)
        .containsExactly("error", "error", "ok");
    assertThat(reply.attempts().get(0).detail()).startsWith("HTTP 500");
    assertThat(openrouter.requests()).hasSize(2);
    assertThat(claude.requests().get(0).header("x-api-key")).contains(TestModels.ANTHROPIC_KEY);
    assertThat(usage.summary(java.time.LocalDate.now(java.time.ZoneOffset.UTC)).calls())
        .isEqualTo(3);
    assertThat(logs.warnings()).isEmpty();
  }

  @Test
  void stream_providerIgnoresStreamWithPlainJson_isAFailedAttemptAndFallsBack() {
    ScriptedOpenAiServer local = openAi();
    ScriptedAnthropicServer claude = anthropic();
    local.ignoresStream("an answer in one JSON body");
    claude.reply("from the fallback");
    TestModels t =
        new TestModels()
            .openrouter(local)
            .anthropic(claude)
            .chain("openrouter:test/primary", "anthropic:claude-test");
    RoutingModelGateway gateway = gateway(t);
    java.util.List<String> tokens = new java.util.ArrayList<>();

    ModelReply reply = gateway.stream(gateway.defaultPolicy(), HELLO, CONTEXT, tokens::add);

    assertThat(reply.text()).isEqualTo("from the fallback");
    assertThat(reply.attempts()).extracting(Attempt::outcome).containsExactly("error", "ok");
    assertThat(reply.attempts().getFirst().detail()).contains("not server-sent events");
    assertThat(local.requests()).hasSize(1);
  }

  @Test
  void chat_emptyReply_isAFailedAttemptNotASuccess() {
    ScriptedOpenAiServer openrouter = openAi();
    openrouter.reply("", 0, 0);
    TestModels t = new TestModels().openrouter(openrouter).chain("openrouter:test/primary");
    RoutingModelGateway gateway = gateway(t);

    assertThatThrownBy(() -> gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT))
        .isInstanceOfSatisfying(
            ModelUnavailableException.class,
            e -> {
              assertThat(e.attempts()).extracting(Attempt::outcome).containsExactly("error");
              assertThat(e.attempts().getFirst().detail()).contains("empty reply");
            });
    assertThat(openrouter.requests()).hasSize(1);
  }

  @Test
  void chat_everyModelFails_throwsWithEveryAttempt() {
    ScriptedOpenAiServer openrouter = openAi();
    openrouter.error(503).error(502);
    TestModels t = new TestModels().openrouter(openrouter).chain("openrouter:a", "openrouter:b");
    RoutingModelGateway gateway = gateway(t);

    assertThatThrownBy(() -> gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT))
        .isInstanceOfSatisfying(
            ModelUnavailableException.class,
            e -> {
              assertThat(e.attempts()).extracting(a -> a.model().model()).containsExactly("a", "b");
              assertThat(e.attempts()).extracting(Attempt::outcome).containsOnly("error");
            });
    assertThat(logs.warnings()).hasSize(1).allMatch(l -> l.contains("no model of the policy"));
  }

  @Test
  void chat_rateLimitedWithRetryAfter_waitsAtLeastTheHeader() {
    ScriptedOpenAiServer openrouter = openAi();
    openrouter.rateLimited(1).reply("after the wait");
    TestModels t = new TestModels().openrouter(openrouter);
    t.maxAttempts = 2;
    RoutingModelGateway gateway = gateway(t);

    long started = System.nanoTime();
    ModelReply reply = gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(reply.text()).isEqualTo("after the wait");
    assertThat(reply.attempts()).extracting(Attempt::outcome).containsExactly("rate_limited", "ok");
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    var requests = openrouter.requests();
    assertThat(requests).hasSize(2);
  }

  @Test
  void chat_retryAfterLongerThanAnAttempt_movesToNextModelAtOnce() {
    ScriptedOpenAiServer openrouter = openAi();
    openrouter.rateLimited(3600).reply("from b");
    TestModels t = new TestModels().openrouter(openrouter).chain("openrouter:a", "openrouter:b");
    t.maxAttempts = 3;
    RoutingModelGateway gateway = gateway(t);

    long started = System.nanoTime();
    ModelReply reply = gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(reply.model().model()).isEqualTo("b");
    assertThat(reply.attempts()).extracting(Attempt::outcome).containsExactly("rate_limited", "ok");
  }

  @Test
  void chat_slowAnswer_timesOutAndFallsBack() {
    ScriptedOpenAiServer openrouter = openAi();
    openrouter.slow(Duration.ofSeconds(3), "too late").reply("in time");
    TestModels t = new TestModels().openrouter(openrouter).chain("openrouter:a", "openrouter:b");
    t.timeoutMs = 300;
    RoutingModelGateway gateway = gateway(t);

    long started = System.nanoTime();
    ModelReply reply = gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    assertThat(reply.text()).isEqualTo("in time");
    assertThat(reply.attempts()).extracting(Attempt::outcome).containsExactly("timeout", "ok");
    assertThat(reply.attempts().get(0).latencyMs()).isBetween(250L, 1500L);
  }

  @Test
  void chat_badRequest_isNotRetried() {
    ScriptedOpenAiServer openrouter = openAi();
    openrouter.error(400).reply("never asked");
    TestModels t = new TestModels().openrouter(openrouter);
    t.maxAttempts = 3;
    RoutingModelGateway gateway = gateway(t);

    assertThatThrownBy(() -> gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT))
        .isInstanceOf(ModelUnavailableException.class);
    assertThat(openrouter.requests()).hasSize(1);
  }

  @Test
  void chat_failuresReachThreshold_circuitOpensSkipsThenClosesAfterTrial() throws Exception {
    ScriptedOpenAiServer openrouter = openAi();
    openrouter.error(500).error(500).reply("trial passes").reply("closed again");
    TestModels t = new TestModels().openrouter(openrouter);
    t.circuitFailureThreshold = 2;
    t.circuitOpenMs = 500;
    RoutingModelGateway gateway = gateway(t);
    ModelPolicy policy = gateway.defaultPolicy();

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> gateway.chat(policy, HELLO, CONTEXT))
          .isInstanceOf(ModelUnavailableException.class);
    }
    assertThatThrownBy(() -> gateway.chat(policy, HELLO, CONTEXT))
        .isInstanceOfSatisfying(
            ModelUnavailableException.class,
            e ->
                assertThat(e.attempts())
                    .extracting(Attempt::outcome, Attempt::detail)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("skipped", "circuit open")));
    assertThat(openrouter.requests()).hasSize(2);

    Thread.sleep(600);
    assertThat(gateway.chat(policy, HELLO, CONTEXT).text()).isEqualTo("trial passes");
    assertThat(gateway.chat(policy, HELLO, CONTEXT).text()).isEqualTo("closed again");
    assertThat(openrouter.requests()).hasSize(4);
  }

  @Test
  void chat_providerEchoesKey_keyInNoLogLineNorException() throws Exception {
    ScriptedOpenAiServer openrouter = openAi();
    ScriptedAnthropicServer claude = anthropic();
    openrouter.error(
        401, Map.of(), "Incorrect API key provided: " + TestModels.OPENROUTER_KEY + ".");
    claude.error(500, Map.of(), "upstream said " + TestModels.ANTHROPIC_KEY);
    TestModels t =
        new TestModels()
            .openrouter(openrouter)
            .anthropic(claude)
            .chain("openrouter:test/primary", "anthropic:claude-test");
    RoutingModelGateway gateway = gateway(t);

    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT));

    assertThat(thrown).isInstanceOf(ModelUnavailableException.class);
    assertThat(thrown.getMessage())
        .contains("HTTP 401", "[redacted]")
        .doesNotContain(TestModels.OPENROUTER_KEY, TestModels.ANTHROPIC_KEY);
    assertThat(((ModelUnavailableException) thrown).attempts())
        .allSatisfy(
            a ->
                assertThat(a.detail())
                    .doesNotContain(TestModels.OPENROUTER_KEY, TestModels.ANTHROPIC_KEY));
    assertThat(logs.lines()).isNotEmpty();
    assertThat(String.join("\n", logs.lines()))
        .doesNotContain(TestModels.OPENROUTER_KEY, TestModels.ANTHROPIC_KEY);
    for (var check : gateway.healthChecks()) {
      assertThat(check.check().detail())
          .doesNotContain(TestModels.OPENROUTER_KEY, TestModels.ANTHROPIC_KEY);
    }
  }
}
