package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorCommandTest {
  @TempDir Path dir;

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void doctor_healthyMachine_everyRequiredCheckPassesAndProvidersAreReported() throws Exception {
    HttpServer search =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    search.createContext(
        "/html/",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    search.start();
    try {
      Map<String, String> env =
          Map.of(
              "SOPHIA_PROVIDERS_DUCKDUCKGO_BASE_URL",
                  "http://127.0.0.1:" + search.getAddress().getPort() + "/html/",
              "SOPHIA_PROVIDERS_SERPER_BASE_URL", "http://127.0.0.1:" + closedPort() + "/search",
              "SERPER_API_KEY", "test-key");

      CliRun run = CliRun.of(env, "--data-dir", dir.toString(), "doctor");

      assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
      List<String> lines = run.out().lines().toList();
      assertThat(lines.get(0)).startsWith("✓ JDK ");
      assertThat(lines)
          .anySatisfy(l -> assertThat(l).startsWith("✓ configuration is valid"))
          .anySatisfy(l -> assertThat(l).startsWith("✓ data directory").endsWith("is writable"))
          .anySatisfy(l -> assertThat(l).startsWith("✓ store opens: SQLite"))
          .anySatisfy(l -> assertThat(l).startsWith("✓ index opens"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith("✓ embedding model all-minilm-l6-v2 loads (384 dimensions"))
          .anySatisfy(
              l -> assertThat(l).startsWith("✓ search duckduckgo: reachable").contains("HTTP 200"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith("✗ search serper: unreachable")
                      .endsWith("(not required)"))
          .anySatisfy(l -> assertThat(l).startsWith("– search searxng: not configured"))
          .anySatisfy(
              l -> assertThat(l).startsWith("– search brave: not configured (set BRAVE_API_KEY"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith("– model openrouter: not configured (set OPENROUTER_API_KEY"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith(
                          "– model openai_compatible: not configured"
                              + " (models.providers.openai_compatible.base_url is empty)"));
      assertThat(lines.getLast()).isEqualTo("Sophia is ready.");
    } finally {
      search.stop(0);
    }
  }

  @Test
  void doctor_dataDirectoryIsAFile_failsExit1() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    Map<String, String> env =
        Map.of("SOPHIA_PROVIDERS_DUCKDUCKGO_BASE_URL", "http://127.0.0.1:" + closedPort() + "/");

    CliRun run = CliRun.of(env, "--data-dir", file.toString(), "doctor");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains("✗ data directory " + file.toAbsolutePath() + " is not writable")
        .doesNotContain("store opens")
        .endsWith("required check(s) failed.\n");
  }

  @Test
  void doctor_invalidConfiguration_listsProblemsExit1() {
    CliRun run =
        CliRun.of(
            Map.of("SOPHIA_EMBEDDING_MODEL", "gpt-embed"), "--data-dir", dir.toString(), "doctor");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .contains("✗ configuration is invalid:")
        .contains("embedding.model 'gpt-embed'")
        .doesNotContain("store opens");
  }

  @Test
  void doctor_mcpServers_connectedOneListedAndDeadOneReportedNotRequired() throws Exception {
    String everything =
        ai.sophia.mcp.NodePeers.folder()
            .resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js")
            .toString();
    Path yaml =
        Files.writeString(
            dir.resolve("sophia.yaml"),
            """
            mcp:
              servers:
                everything:
                  command: node
                  args: ["%s", "stdio"]
                gone:
                  url: http://127.0.0.1:%d/mcp
                  timeout_ms: 1000
            """
                .formatted(everything, closedPort()));

    CliRun run =
        CliRun.of(Map.of(), "--data-dir", dir.toString(), "--config", yaml.toString(), "doctor");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out().lines().toList())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("✓ MCP server everything: connected;")
                    .containsPattern("\\d+ tools"))
        .anySatisfy(
            l -> assertThat(l).startsWith("✗ MCP server gone: ").endsWith("(not required)"));
  }

  @Test
  void doctor_redis_upReportedAndGoneReportedNotRequired() throws Exception {
    Map<String, String> up = ai.sophia.redis.TestRedis.shared().env();
    java.util.HashMap<String, String> gone = new java.util.HashMap<>(up);
    gone.put("SOPHIA_REDIS_URL", "redis://127.0.0.1:" + closedPort());

    CliRun ok = CliRun.of(up, "--data-dir", dir.toString(), "doctor");
    CliRun down = CliRun.of(gone, "--data-dir", dir.toString(), "doctor");

    assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out().lines().toList())
        .anySatisfy(l -> assertThat(l).startsWith("✓ Redis up: redis at 127.0.0.1:"));
    assertThat(down.exitCode()).as(down.out() + down.err()).isZero();
    assertThat(down.out().lines().toList())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("✗ Redis down: unreachable at 127.0.0.1:")
                    .endsWith("(not required)"));
    assertThat(ok.out() + down.out()).doesNotContain(ai.sophia.redis.TestRedis.PASSWORD);
  }
}
