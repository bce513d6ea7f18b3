package ai.sophia.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What goes over the wire to each provider and comes back: tools, schemas, streams, health. */
class ProviderWireTest extends GatewayFixture {
  private static final JsonNode WEATHER_PARAMS =
      ScriptedProviderServer.parse(
          "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\","
              + "\"description\":\"City name\"},\"days\":{\"type\":\"integer\"}},"
              + "\"required\":[\"city\"]}");
  private static final ToolSpec WEATHER =
      new ToolSpec("weather", "Forecast for a city", WEATHER_PARAMS);
  private static final JsonNode VERDICT_SCHEMA =
      ScriptedProviderServer.parse(
          "{\"type\":\"object\",\"properties\":{\"verdict\":{\"type\":\"string\","
              + "\"enum\":[\"yes\",\"no\"]},\"confidence\":{\"type\":\"number\"}},"
              + "\"required\":[\"verdict\",\"confidence\"],\"additionalProperties\":false}");

  @Test
  void chat_toolCallRoundTrip_openAiWireFormat() {
    ScriptedOpenAiServer server = openAi();
    server.toolCalls(new ToolCall("call_1", "weather", "{\"city\":\"Oslo\"}")).reply("Rain.");
    RoutingModelGateway gateway = gateway(new TestModels().openrouter(server));
    ModelRequest ask =
        ModelRequest.of(List.of(new Message.User("Weather in Oslo?"))).withTools(List.of(WEATHER));

    ModelReply call = gateway.chat(gateway.defaultPolicy(), ask, CONTEXT);
    ModelRequest answer =
        ModelRequest.of(
                List.of(
                    new Message.User("Weather in Oslo?"),
                    new Message.Assistant("", call.toolCalls()),
                    new Message.ToolResult("call_1", "weather", "rain, 8 C")))
            .withTools(List.of(WEATHER));
    ModelReply done = gateway.chat(gateway.defaultPolicy(), answer, CONTEXT);

    assertThat(call.toolCalls())
        .containsExactly(new ToolCall("call_1", "weather", "{\"city\":\"Oslo\"}"));
    assertThat(call.finishReason()).isEqualTo("tool_calls");
    assertThat(done.text()).isEqualTo("Rain.");
    JsonNode first = server.bodies().get(0);
    JsonNode function = first.path("tools").get(0).path("function");
    assertThat(function.path("name").asText()).isEqualTo("weather");
    assertThat(
            function
                .path("parameters")
                .path("properties")
                .path("city")
                .path("description")
                .asText())
        .isEqualTo("City name");
    assertThat(function.path("parameters").path("required").get(0).asText()).isEqualTo("city");
    JsonNode messages = server.bodies().get(1).path("messages");
    assertThat(messages.get(1).path("tool_calls").get(0).path("id").asText()).isEqualTo("call_1");
    assertThat(messages.get(2).path("role").asText()).isEqualTo("tool");
    assertThat(messages.get(2).path("tool_call_id").asText()).isEqualTo("call_1");
    assertThat(messages.get(2).path("content").asText()).isEqualTo("rain, 8 C");
  }

  @Test
  void chat_toolCallRoundTrip_anthropicWireFormat() {
    ScriptedAnthropicServer server = anthropic();
    server.toolCalls(new ToolCall("toolu_1", "weather", "{\"city\":\"Oslo\"}")).reply("Rain.");
    RoutingModelGateway gateway =
        gateway(new TestModels().anthropic(server).chain("anthropic:claude-test"));
    ModelRequest ask =
        ModelRequest.of(List.of(new Message.System("Be brief."), new Message.User("Oslo?")))
            .withTools(List.of(WEATHER));

    ModelReply call = gateway.chat(gateway.defaultPolicy(), ask, CONTEXT);
    ModelReply done =
        gateway.chat(
            gateway.defaultPolicy(),
            ModelRequest.of(
                    List.of(
                        new Message.User("Oslo?"),
                        new Message.Assistant("", call.toolCalls()),
                        new Message.ToolResult("toolu_1", "weather", "rain")))
                .withTools(List.of(WEATHER)),
            CONTEXT);

    assertThat(call.toolCalls()).hasSize(1);
    assertThat(call.toolCalls().get(0).id()).isEqualTo("toolu_1");
    assertThat(ScriptedProviderServer.parse(call.toolCalls().get(0).argumentsJson()))
        .isEqualTo(ScriptedProviderServer.parse("{\"city\":\"Oslo\"}"));
    assertThat(call.finishReason()).isEqualTo("tool_calls");
    assertThat(done.text()).isEqualTo("Rain.");
    JsonNode first = server.bodies().get(0);
    assertThat(first.path("system").toString()).contains("Be brief.");
    assertThat(first.path("tools").get(0).path("name").asText()).isEqualTo("weather");
    assertThat(first.path("tools").get(0).path("input_schema").path("required").get(0).asText())
        .isEqualTo("city");
    JsonNode result = server.bodies().get(1).path("messages").get(2).path("content").get(0);
    assertThat(result.path("type").asText()).isEqualTo("tool_result");
    assertThat(result.path("tool_use_id").asText()).isEqualTo("toolu_1");
    assertThat(server.requests().get(0).header("anthropic-version")).isPresent();
  }

  @Test
  void chat_responseSchema_openAiGetsSchemaAndReturnsJson() {
    ScriptedOpenAiServer server = openAi();
    server.reply("{\"verdict\":\"yes\",\"confidence\":0.9}");
    RoutingModelGateway gateway = gateway(new TestModels().openrouter(server));
    ModelRequest ask =
        ModelRequest.of(List.of(new Message.User("Is it?")))
            .withResponseSchema("verdict", VERDICT_SCHEMA)
            .withMaxOutputTokens(200);

    ModelReply reply = gateway.chat(gateway.defaultPolicy(), ask, CONTEXT);

    assertThat(ScriptedProviderServer.parse(reply.text()).path("verdict").asText())
        .isEqualTo("yes");
    JsonNode format = server.bodies().get(0).path("response_format");
    assertThat(format.path("type").asText()).isEqualTo("json_schema");
    assertThat(format.path("json_schema").path("name").asText()).isEqualTo("verdict");
    assertThat(format.path("json_schema").path("schema")).isEqualTo(VERDICT_SCHEMA);
  }

  @Test
  void chat_responseSchema_anthropicGetsOutputFormat() {
    ScriptedAnthropicServer server = anthropic();
    server.reply("{\"verdict\":\"no\",\"confidence\":0.2}");
    RoutingModelGateway gateway =
        gateway(new TestModels().anthropic(server).chain("anthropic:claude-test"));
    ModelRequest ask =
        ModelRequest.of(List.of(new Message.User("Is it?")))
            .withResponseSchema("verdict", VERDICT_SCHEMA);

    ModelReply reply = gateway.chat(gateway.defaultPolicy(), ask, CONTEXT);

    assertThat(ScriptedProviderServer.parse(reply.text()).path("verdict").asText()).isEqualTo("no");
    String body = server.bodies().get(0).toString();
    assertThat(body).contains("\"verdict\"", "\"enum\":[\"yes\",\"no\"]", "\"confidence\"");
  }

  @Test
  void stream_openAi_tokensArriveInOrderWithUsage() {
    ScriptedOpenAiServer server = openAi();
    server.reply("Logs are written before data pages.", 30, 7);
    RoutingModelGateway gateway = gateway(new TestModels().openrouter(server));
    List<String> tokens = new ArrayList<>();

    ModelReply reply = gateway.stream(gateway.defaultPolicy(), HELLO, CONTEXT, tokens::add);

    assertThat(tokens).containsExactly("Logs ", "are ", "written ", "before ", "data ", "pages.");
    assertThat(reply.text()).isEqualTo("Logs are written before data pages.");
    assertThat(reply.usage()).isEqualTo(new TokenUsage(30, 7));
    assertThat(server.bodies().get(0).path("stream").asBoolean()).isTrue();
    assertThat(logs.warnings()).isEmpty();
  }

  @Test
  void stream_anthropic_tokensArriveInOrderWithUsage() {
    ScriptedAnthropicServer server = anthropic();
    server.reply("One two three.", 12, 4);
    RoutingModelGateway gateway =
        gateway(new TestModels().anthropic(server).chain("anthropic:claude-test"));
    List<String> tokens = new ArrayList<>();

    ModelReply reply = gateway.stream(gateway.defaultPolicy(), HELLO, CONTEXT, tokens::add);

    assertThat(tokens).containsExactly("One ", "two ", "three.");
    assertThat(reply.text()).isEqualTo("One two three.");
    assertThat(reply.usage()).isEqualTo(new TokenUsage(12, 4));
    assertThat(reply.finishReason()).isEqualTo("stop");
  }

  @Test
  void stream_primaryFailsBeforeFirstToken_nextModelStreams() {
    ScriptedOpenAiServer openrouter = openAi();
    ScriptedAnthropicServer claude = anthropic();
    openrouter.error(503);
    claude.reply("fallback words");
    RoutingModelGateway gateway =
        gateway(
            new TestModels()
                .openrouter(openrouter)
                .anthropic(claude)
                .chain("openrouter:test/primary", "anthropic:claude-test"));
    List<String> tokens = new ArrayList<>();

    ModelReply reply = gateway.stream(gateway.defaultPolicy(), HELLO, CONTEXT, tokens::add);

    assertThat(String.join("", tokens)).isEqualTo("fallback words");
    assertThat(reply.attempts()).extracting(Attempt::outcome).containsExactly("error", "ok");
  }

  @Test
  void stream_breaksAfterFirstToken_failsWithoutFallback() {
    ScriptedAnthropicServer claude = anthropic();
    ScriptedOpenAiServer openrouter = openAi();
    claude.streamBreaksAfter("Partial answer");
    openrouter.reply("never asked");
    RoutingModelGateway gateway =
        gateway(
            new TestModels()
                .anthropic(claude)
                .openrouter(openrouter)
                .chain("anthropic:claude-test", "openrouter:test/primary"));
    List<String> tokens = new ArrayList<>();

    assertThatThrownBy(() -> gateway.stream(gateway.defaultPolicy(), HELLO, CONTEXT, tokens::add))
        .isInstanceOfSatisfying(
            ModelUnavailableException.class,
            e -> {
              assertThat(e).hasMessageContaining("mid-stream");
              assertThat(e.attempts()).extracting(Attempt::outcome).containsExactly("error");
            });
    assertThat(String.join("", tokens)).isEqualTo("Partial answer");
    assertThat(openrouter.requests()).isEmpty();
  }

  @Test
  void chat_openAiCompatibleWithoutKey_sendsNoRealKeyAndHealthProbesModels() throws Exception {
    ScriptedOpenAiServer local = openAi();
    local.reply("local answer");
    RoutingModelGateway gateway =
        gateway(new TestModels().compatible(local).chain("openai_compatible:llama3.1"));

    assertThat(gateway.available(gateway.defaultPolicy())).isTrue();
    assertThat(gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT).text())
        .isEqualTo("local answer");

    List<HealthCheck> checks = gateway.healthChecks();
    assertThat(checks).extracting(HealthCheck::name).containsExactly("model.openai_compatible");
    assertThat(checks.get(0).critical()).isFalse();
    HealthStatus status = checks.get(0).check();
    assertThat(status.state()).isEqualTo(HealthStatus.State.up);
    assertThat(status.detail()).contains("last call ok");
    assertThat(local.url("")).isNotNull();
  }

  @Test
  void healthChecks_reportFromLastRealCall_neverCallingTheProvider() throws Exception {
    ScriptedOpenAiServer openrouter = openAi();
    openrouter.error(500, Map.of());
    RoutingModelGateway gateway = gateway(new TestModels().openrouter(openrouter));

    HealthStatus before = gateway.healthChecks().get(0).check();
    assertThatThrownBy(() -> gateway.chat(gateway.defaultPolicy(), HELLO, CONTEXT))
        .isInstanceOf(ModelUnavailableException.class);
    HealthStatus after = gateway.healthChecks().get(0).check();

    assertThat(gateway.healthChecks())
        .extracting(HealthCheck::name)
        .containsExactly("model.openrouter");
    assertThat(before.state()).isEqualTo(HealthStatus.State.up);
    assertThat(before.detail()).contains("not used since start");
    assertThat(after.state()).isEqualTo(HealthStatus.State.degraded);
    assertThat(after.detail()).contains("last call error", "HTTP 500");
    assertThat(openrouter.requests()).hasSize(1);
  }
}
