package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.model.ScriptedOpenAiServer;
import ai.sophia.model.ToolCall;
import ai.sophia.security.Role;
import ai.sophia.server.OtlpReceiver.Received;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace across two Sophia nodes: an agent on the first calls a tool of the second over MCP
 * (Streamable HTTP), the call carries {@code traceparent}, and the second node's server span
 * continues the first node's trace under the tool call's span.
 */
class TracingAcrossNodesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SERVER = 2;

  @TempDir Path dir;

  private static Map<String, String> traced(Path data, OtlpReceiver receiver, String service) {
    Map<String, String> env = new HashMap<>();
    env.put("SOPHIA_DATA_DIR", data.toString());
    env.put("SOPHIA_SERVER_PORT", "0");
    env.put("SOPHIA_TRACING_ENABLED", "true");
    env.put("SOPHIA_TRACING_SERVICE_NAME", service);
    env.put("SOPHIA_TRACING_OTLP_ENDPOINT", receiver.endpoint());
    return env;
  }

  @Test
  void mcpToolOfAnotherNode_traceparentSent_peersServerSpanContinuesTheTrace() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.start();
        ScriptedOpenAiServer model = ScriptedOpenAiServer.start()) {
      Map<String, String> peerEnv = traced(dir.resolve("peer"), receiver, "sophia-peer");
      try (Sophia peer =
          Sophia.open(ConfigLoader.create(peerEnv).load(Optional.empty()), peerEnv)) {
        int peerPort = peer.serve(new PrintWriter(new StringWriter()));
        Map<String, String> env = traced(dir.resolve("node"), receiver, "sophia");
        env.put("SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL", model.baseUrl());
        env.put("SOPHIA_MODELS_DEFAULT_CHAIN", "openai_compatible:test-model");
        env.put("PEER_TOKEN", peer.apiKeys().create("node", Role.user).secret());
        Path yaml =
            Files.writeString(
                dir.resolve("node.yaml"),
                """
                mcp:
                  servers:
                    peer:
                      url: http://127.0.0.1:%d/mcp
                      token_env: PEER_TOKEN
                agents:
                  definitions:
                    helper:
                      instructions: Use the tools you have.
                      tools: [peer__memory_search]
                """
                    .formatted(peerPort));
        model
            .toolCalls(new ToolCall("call_1", "peer__memory_search", "{\"query\":\"WAL\"}"))
            .reply("Nothing is known yet.");
        try (Sophia node = Sophia.open(ConfigLoader.create(env).load(Optional.of(yaml)), env)) {
          int port = node.serve(new PrintWriter(new StringWriter()));
          String key = node.apiKeys().create("caller", Role.user).secret();

          HttpResponse<String> run =
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + port + "/api/v1/agents/helper/run"))
                          .header("Authorization", "Bearer " + key)
                          .header("Content-Type", "application/json")
                          .timeout(Duration.ofSeconds(60))
                          .POST(
                              HttpRequest.BodyPublishers.ofString(
                                  "{\"input\":\"What do we know about WAL?\",\"wait\":true}"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());

          assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
          JsonNode body = JSON.readTree(run.body());
          assertThat(body.at("/transcript").toString()).contains("peer__memory_search");
          String trace = body.path("trace_id").asText();
          Received tool =
              receiver.await(
                  s ->
                      s.traceId().equals(trace)
                          && s.name().equals("execute_tool peer__memory_search"));
          assertThat(tool.service()).isEqualTo("sophia");
          Received remote =
              receiver.await(
                  s ->
                      s.traceId().equals(trace)
                          && s.kind() == SERVER
                          && s.service().equals("sophia-peer"));
          assertThat(remote.name()).isEqualTo("POST /mcp");
          assertThat(remote.parentSpanId()).isEqualTo(tool.spanId());
        }
      }
    }
  }
}
