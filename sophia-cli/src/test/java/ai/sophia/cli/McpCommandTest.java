package ai.sophia.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.mcp.NodePeers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sophia mcp} as an MCP client starts it: a real JVM running the CLI, spoken to over stdio
 * by the official TypeScript SDK client, which would fail on anything but protocol on stdout.
 */
class McpCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void mcp_overStdio_servesToolsToTheTypeScriptClient() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Map<String, Object> target =
        Map.of(
            "command",
            java,
            "args",
            List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "mcp"),
            "env",
            Map.of(
                "SOPHIA_DATA_DIR", dir.toString(),
                "SOPHIA_MODELS_MODE", "offline",
                "SOPHIA_LOG_LEVEL", "INFO"));
    List<JsonNode> steps = new ArrayList<>();
    for (String line :
        NodePeers.runScript(
            "client.mjs",
            JSON.writeValueAsString(target),
            "[{\"op\":\"listTools\"},{\"op\":\"callTool\",\"name\":\"agents_list\"},"
                + "{\"op\":\"callTool\",\"name\":\"memory_search\",\"arguments\":{\"query\":\"x\"}}]")) {
      steps.add(JSON.readTree(line));
    }

    assertThat(steps.get(0).get("ok").asBoolean()).as(steps.get(0).toString()).isTrue();
    assertThat(steps.get(0).get("server").get("name").asText()).isEqualTo("sophia");
    assertThat(steps.get(1).get("tools").findValuesAsText("name"))
        .contains("research", "memory_search", "agents_list", "ask_agent");
    JsonNode agents = steps.get(2).get("result");
    assertThat(agents.get("isError").asBoolean()).as(agents.toString()).isFalse();
    assertThat(agents.get("structuredContent").get("agents").findValuesAsText("name"))
        .contains("research");
    JsonNode memory = steps.get(3).get("result");
    assertThat(memory.get("isError").asBoolean()).as(memory.toString()).isFalse();
    assertThat(memory.get("structuredContent").get("results").size()).isZero();
  }

  @Test
  void mcp_malformedLines_answeredWithJsonRpcErrorsAndServingGoesOn() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(
            java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "mcp");
    builder.environment().put("SOPHIA_DATA_DIR", dir.toString());
    builder.environment().put("SOPHIA_MODELS_MODE", "offline");
    builder.redirectError(dir.resolve("stderr.log").toFile());
    Process sophia = builder.start();
    // Should stdin no longer be read, the ping is never answered: stop waiting after a minute.
    CompletableFuture.delayedExecutor(60, TimeUnit.SECONDS).execute(sophia::destroy);
    List<JsonNode> answers = new ArrayList<>();
    try (var in = sophia.getOutputStream();
        var out = new BufferedReader(new InputStreamReader(sophia.getInputStream(), UTF_8))) {
      String lines =
          String.join(
              "\n",
              "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                  + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                  + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
              "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
              "not json",
              "",
              "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
                  + "\"agents_list\",\"arguments\":{\"a\":"
                  + "[".repeat(600)
                  + "]".repeat(600)
                  + "}}}",
              "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":[]}}",
              "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
      in.write((lines + "\n").getBytes(UTF_8));
      in.flush();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        JsonNode answer = JSON.readTree(line);
        answers.add(answer);
        if (answer.path("id").asInt() == 3) {
          break;
        }
      }
    } finally {
      sophia.destroy();
      sophia.waitFor();
    }

    // initialize, one error for each malformed line (written as soon as it is read, so in any
    // order with the SDK's answers), then the ping's result: stdin is still read.
    assertThat(answers).as(answers.toString()).hasSize(5);
    assertThat(byId(answers, "0").has("result")).isTrue();
    assertThat(
            answers.stream()
                .filter(a -> a.get("id").isNull())
                .map(a -> a.at("/error/code").asInt() + " " + a.at("/error/message").asText()))
        .as(answers.toString())
        .hasSize(2)
        .allMatch(e -> e.startsWith("-32700 "))
        .anyMatch(e -> e.contains("malformed JSON"))
        .anyMatch(e -> e.contains("500 levels"));
    assertThat(byId(answers, "2").at("/error/code").asInt()).isEqualTo(-32602);
    assertThat(byId(answers, "3").has("result")).isTrue();
    assertThat(Files.readString(dir.resolve("stderr.log")))
        .doesNotContain("\"level\":\"ERROR\"")
        .doesNotContain("Failed to read value");
  }

  private static JsonNode byId(List<JsonNode> answers, String id) {
    return answers.stream().filter(a -> a.path("id").asText().equals(id)).findFirst().orElseThrow();
  }
}
