package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.mcp.BearerMcpServer;
import ai.sophia.mcp.ConformanceClient;
import ai.sophia.mcp.LoopbackAuthServer;
import ai.sophia.mcp.McpClients;
import ai.sophia.server.Sophia;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sophia mcp login SERVER} in a real JVM, as an admin runs it: it prints the authorization
 * URL, the "browser" (the test) opens it and the loopback authorization server approves, and the
 * command stores the tokens where a server's connection and {@code sophia doctor} then find them.
 */
class McpLoginCommandTest {
  @TempDir Path dir;

  @Test
  void mcpLogin_printsTheUrlWithTheScope_storesTokensTheConnectionUses() throws Exception {
    try (LoopbackAuthServer auth = LoopbackAuthServer.start("unused", "unused");
        BearerMcpServer mcp = BearerMcpServer.start(auth)) {
      Path yaml =
          Files.writeString(
              dir.resolve("sophia.yaml"),
              "mcp:\n  servers:\n    remote:\n      url: "
                  + mcp.url()
                  + "\n      oauth:\n        grant: authorization_code\n");
      Path data = Files.createDirectories(dir.resolve("data"));
      Process login =
          CliRun.inJvm(
                  "--config",
                  yaml.toString(),
                  "--data-dir",
                  data.toString(),
                  "mcp",
                  "login",
                  "remote",
                  "--wait",
                  "60",
                  "--scope",
                  "mcp:tools mcp:write")
              .redirectError(dir.resolve("stderr.log").toFile())
              .start();
      List<String> lines = new ArrayList<>();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(login.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
          if (line.startsWith(auth.url() + "/authorize?")) {
            ConformanceClient.browse(URI.create(line));
          }
        }
      }
      assertThat(login.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(login.exitValue())
          .as(lines + Files.readString(dir.resolve("stderr.log")))
          .isZero();
      assertThat(lines.getFirst()).startsWith("Open this URL in a browser");
      assertThat(lines.get(1)).contains("scope=mcp%3Atools+mcp%3Awrite");
      assertThat(lines.getLast())
          .startsWith("Signed in to remote as client registered-")
          .contains("(registered now)")
          .endsWith("Sophia renews the token itself.");

      SophiaConfig config =
          ConfigLoader.create(Map.of("SOPHIA_DATA_DIR", data.toString())).load(Optional.of(yaml));
      // The server's connection (and sophia doctor's) finds the stored tokens.
      Map<String, Boolean> status =
          Sophia.withMcpTokens(
              config,
              Map.of(),
              store -> {
                try (McpClients clients = McpClients.connect(config, Map.of(), "test", store)) {
                  return clients.status();
                }
              });
      assertThat(status).containsEntry("remote", true);
      assertThat(Doctor.mcpServers(config, Map.of()))
          .singleElement()
          .satisfies(c -> assertThat(c.outcome()).as(c.text()).isEqualTo(Doctor.Check.Outcome.OK));
    }
  }

  @Test
  void mcpLogin_badInput_namesWhatIsWrongAndExitsNonZero() throws Exception {
    Path yaml =
        Files.writeString(
            dir.resolve("bad.yaml"),
            "data_dir: "
                + dir.resolve("data")
                + "\nmcp:\n  servers:\n    gone:\n      url: http://127.0.0.1:9/mcp\n"
                + "      oauth:\n        grant: authorization_code\n");

    CliRun unknown = CliRun.of("--config", yaml.toString(), "mcp", "login", "nosuch");
    CliRun wait = CliRun.of("--config", yaml.toString(), "mcp", "login", "gone", "--wait", "0");
    CliRun refused = CliRun.of("--config", yaml.toString(), "mcp", "login", "gone", "--wait", "5");

    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("no MCP server 'nosuch' under mcp.servers");
    assertThat(wait.exitCode()).isEqualTo(2);
    assertThat(wait.err()).contains("--wait").contains("between 1 and 3600");
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err())
        .contains("http://127.0.0.1:9/mcp could not be reached: ConnectException")
        .doesNotContain("null")
        .doesNotContain("\tat ");
  }
}
