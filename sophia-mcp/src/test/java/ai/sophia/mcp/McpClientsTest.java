package ai.sophia.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.agent.AgentRequest;
import ai.sophia.agent.AgentResult;
import ai.sophia.agent.AgentRun;
import ai.sophia.agent.AgentRuntime;
import ai.sophia.agent.RunStatus;
import ai.sophia.agent.Step;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import ai.sophia.model.ScriptedModelGateway;
import ai.sophia.model.ToolCall;
import ai.sophia.research.LoopbackResearch;
import ai.sophia.tool.Risk;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sophia as an MCP client of the real reference servers from npm ({@code server-everything} and
 * {@code server-filesystem}, over stdio and Streamable HTTP), their tools used by an agent whose
 * model is scripted to ask for them.
 */
class McpClientsTest {
  private static LoopbackResearch world;
  @TempDir Path dir;
  private LoopbackResearch.Stack stack;
  private McpClients clients;
  private AgentRuntime runtime;
  private Process httpServer;

  private static synchronized LoopbackResearch world() {
    if (world == null) {
      world = LoopbackResearch.start();
    }
    return world;
  }

  @AfterAll
  static void stopWorld() {
    if (world != null) {
      world.close();
    }
  }

  @AfterEach
  void close() {
    if (runtime != null) {
      runtime.close();
    }
    if (clients != null) {
      clients.close();
    }
    if (stack != null) {
      stack.close();
    }
    if (httpServer != null) {
      httpServer.destroyForcibly();
    }
  }

  private static String js(String pkg, String file) {
    return NodePeers.folder()
        .resolve("node_modules/@modelcontextprotocol/" + pkg + "/dist/" + file)
        .toString();
  }

  private AgentRuntime open(ScriptedModelGateway model, String yaml, Map<String, String> env)
      throws IOException {
    stack =
        world()
            .open(
                Files.createDirectories(dir.resolve("data")),
                ScriptedModelGateway.create().available(false),
                yaml,
                Map.of());
    clients = McpClients.connect(stack.config(), env, "test");
    AgentRuntime.Builder b =
        AgentRuntime.builder()
            .config(stack.config())
            .gateway(model)
            .researcher(stack.research())
            .index(stack.index())
            .embedder(LoopbackResearch.EMBEDDER)
            .database(stack.db())
            .operations(stack.operations());
    clients.tools().forEach(b::tool);
    runtime = b.build();
    return runtime;
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    if (System.getenv("HOME") != null) {
      env.put("HOME", System.getenv("HOME"));
    }
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static List<Step.ToolUse> toolUses(AgentRun run) {
    return run.transcript().stream()
        .filter(s -> s instanceof Step.ToolUse)
        .map(s -> (Step.ToolUse) s)
        .toList();
  }

  @Test
  void agent_callsEverythingAndFilesystemToolsOverStdio() throws Exception {
    Path files = Files.createDirectories(dir.resolve("files"));
    Files.writeString(files.resolve("notes.txt"), "The heliograph relays metrics over UDP.");
    String yaml =
        """
        mcp:
          servers:
            everything:
              command: node
              args: ["%s", "stdio"]
              env: [EXTRA_SETTING]
            files:
              command: node
              args: ["%s", "%s"]
        agents:
          definitions:
            helper:
              instructions: Use the tools you have.
              tools: [everything__echo, everything__get_env, files__read_text_file]
        """
            .formatted(
                js("server-everything", "index.js"), js("server-filesystem", "index.js"), files);
    ScriptedModelGateway model =
        ScriptedModelGateway.create()
            .thenToolCalls(
                new ToolCall("c1", "everything__echo", "{\"message\":\"hello from sophia\"}"),
                new ToolCall(
                    "c2",
                    "files__read_text_file",
                    "{\"path\":\"" + files.resolve("notes.txt") + "\"}"),
                new ToolCall("c3", "everything__get_env", "{}"))
            .thenText("Done.");
    AgentRuntime agents =
        open(
            model,
            yaml,
            env("EXTRA_SETTING", "visible-to-server", "OPENROUTER_API_KEY", "sk-or-secret"));

    assertThat(clients.status()).containsEntry("everything", true).containsEntry("files", true);
    assertThat(clients.tools()).extracting(t -> t.name()).contains("everything__get_sum");
    assertThat(clients.tools()).allMatch(t -> t.risk() == Risk.read);
    for (HealthCheck check : clients.healthChecks()) {
      assertThat(check.critical()).isFalse();
      assertThat(check.check().state()).isEqualTo(HealthStatus.State.up);
    }

    AgentRun run = agents.agents().get("helper").start(AgentRequest.of("Echo, read my notes."));
    AgentResult result = run.join();

    assertThat(result.status()).as(result.note()).isEqualTo(RunStatus.succeeded);
    assertThat(model.requests().getFirst().tools())
        .extracting(t -> t.name())
        .containsExactly("everything__echo", "everything__get_env", "files__read_text_file");
    assertThat(model.requests().getFirst().tools().getFirst().parameters().toString())
        .contains("message");
    List<Step.ToolUse> uses = toolUses(run);
    assertThat(uses).extracting(Step.ToolUse::outcome).containsOnly("ok");
    assertThat(uses.get(0).output()).contains("hello from sophia");
    assertThat(uses.get(1).output()).contains("The heliograph relays metrics over UDP.");
    // The server got the variable it was given and none of Sophia's own secrets.
    assertThat(uses.get(2).output()).contains("visible-to-server").doesNotContain("sk-or-secret");
  }

  @Test
  void writeRiskServer_toolCallWaitsForApproval() throws Exception {
    String yaml =
        """
        mcp:
          servers:
            guarded:
              command: node
              args: ["%s", "stdio"]
              risk: write
        agents:
          definitions:
            helper:
              instructions: Use the tools you have.
              tools: [guarded__echo]
        """
            .formatted(js("server-everything", "index.js"));
    ScriptedModelGateway model =
        ScriptedModelGateway.create()
            .thenToolCalls(new ToolCall("c1", "guarded__echo", "{\"message\":\"x\"}"))
            .thenText("Done.");
    AgentRuntime agents = open(model, yaml, env());

    AgentRun run = agents.agents().get("helper").start(AgentRequest.of("Echo x."));
    for (int i = 0; i < 200 && run.status() != RunStatus.waiting_approval; i++) {
      Thread.sleep(25);
    }
    assertThat(run.status()).isEqualTo(RunStatus.waiting_approval);
    assertThat(agents.approvals().forRun(run.id()))
        .singleElement()
        .satisfies(a -> assertThat(a.risk()).isEqualTo(Risk.write));
    run.cancel();
  }

  @Test
  void httpServerDies_callsFailClearlyAndItIsReconnected() throws Exception {
    int port = freePort();
    httpServer = startHttpEverything(port);
    String yaml =
        """
        mcp:
          servers:
            remote:
              url: http://127.0.0.1:%d/mcp
              token_env: REMOTE_TOKEN
              timeout_ms: 5000
        agents:
          definitions:
            helper:
              instructions: Use the tools you have.
              tools: [remote__echo]
        """
            .formatted(port);
    ScriptedModelGateway model =
        ScriptedModelGateway.create()
            .thenToolCalls(new ToolCall("c1", "remote__echo", "{\"message\":\"first\"}"))
            .thenText("ok")
            .thenToolCalls(new ToolCall("c2", "remote__echo", "{\"message\":\"second\"}"))
            .thenText("failed")
            .thenToolCalls(new ToolCall("c3", "remote__echo", "{\"message\":\"third\"}"))
            .thenText("ok again");
    AgentRuntime agents = open(model, yaml, env("REMOTE_TOKEN", "remote-secret"));
    HealthCheck health = clients.healthChecks().getFirst();
    assertThat(health.name()).isEqualTo("mcp.remote");
    assertThat(health.check().state()).isEqualTo(HealthStatus.State.up);

    AgentRun first = agents.agents().get("helper").start(AgentRequest.of("Echo."));
    first.join();
    assertThat(toolUses(first).getFirst().output()).contains("first");

    httpServer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    AgentRun second = agents.agents().get("helper").start(AgentRequest.of("Echo."));
    second.join();
    assertThat(toolUses(second).getFirst().outcome()).isNotEqualTo("ok");
    assertThat(toolUses(second).getFirst().output()).contains("remote");
    assertThat(health.check().state()).isEqualTo(HealthStatus.State.down);

    httpServer = startHttpEverything(port);
    for (int i = 0; i < 300 && health.check().state() != HealthStatus.State.up; i++) {
      Thread.sleep(50);
    }
    assertThat(health.check().state()).isEqualTo(HealthStatus.State.up);
    AgentRun third = agents.agents().get("helper").start(AgentRequest.of("Echo."));
    third.join();
    assertThat(toolUses(third).getFirst().output()).contains("third");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Process startHttpEverything(int port) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("node", js("server-everything", "index.js"), "streamableHttp")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("PORT", Integer.toString(port));
    Process p = pb.start();
    for (int i = 0; i < 200; i++) {
      try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
        return p;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("server-everything did not listen on " + port);
  }
}
