package ai.sophia.server;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.mcp.NodePeers;
import ai.sophia.model.ScriptedOpenAiServer;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MCP cancellation over Streamable HTTP: the official TypeScript client aborts an {@code ask_agent}
 * call whose model takes long, and the agent run it started ends cancelled instead of running on.
 */
class McpCancellationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final ScriptedOpenAiServer model = ScriptedOpenAiServer.start();
  private TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.withModel(dir, model);
  }

  @AfterEach
  void stop() {
    server.close();
    model.close();
  }

  @Test
  void askAgent_clientCancels_agentRunEndsCancelled() throws Exception {
    model.slow(Duration.ofSeconds(30), "far too late");
    String key = server.key(Role.user);
    String target =
        JSON.writeValueAsString(
            Map.of("url", "http://127.0.0.1:" + server.port + "/mcp", "key", key));
    List<String> lines =
        NodePeers.runScript(
            "client.mjs",
            target,
            "[{\"op\":\"callToolAbort\",\"abortAfterMs\":1500,\"name\":\"ask_agent\","
                + "\"arguments\":{\"agent\":\"analysis\",\"question\":\"take your time\"}}]");

    JsonNode call = JSON.readTree(lines.get(1));
    assertThat(call.get("ok").asBoolean()).as(call.toString()).isFalse();
    assertThat(call.get("error").asText()).contains("the test cancels");
    JsonNode run = null;
    for (int i = 0; i < 100; i++) {
      JsonNode runs = TestServer.json(server.get("/api/v1/runs", "Authorization", "Bearer " + key));
      run = runs.at("/runs/0");
      if (run.path("status").asText().equals("cancelled")) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(run).isNotNull();
    assertThat(run.path("agent").asText()).isEqualTo("analysis");
    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("cancelled");
    // The tool's handler answers (to nobody) once the run finished; let it before closing.
    server.agents.run(run.path("run_id").asText()).orElseThrow().completion().get(10, SECONDS);
    Thread.sleep(200);
  }
}
