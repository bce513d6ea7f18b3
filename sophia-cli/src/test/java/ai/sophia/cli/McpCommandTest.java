package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.mcp.NodePeers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
}
