package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.model.ScriptedOpenAiServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules shipped in {@code ops/prometheus}: valid and unit-tested by the real promtool
 * (Debian's, {@code bin/setup-promtool.sh}), and reading only series that a real Sophia's {@code
 * /metrics} exposes once it has served requests and an agent run.
 */
class AlertRulesTest {
  private static final Path RULES = Path.of("..", "ops", "prometheus").toAbsolutePath().normalize();
  private static final Pattern SECRET = Pattern.compile("shown once\\): (sk-sophia-\\S+)");

  /** Series names in a PromQL expression (before '{' or '[' or '('), not functions or keywords. */
  private static final Pattern SERIES =
      Pattern.compile("\\b((?:http_server|sophia|jvm|process)_[a-z0-9_]+)\\b");

  @TempDir Path dir;

  static Path promtool() {
    String named = System.getenv("SOPHIA_PROMTOOL");
    Path tool =
        named != null && !named.isBlank()
            ? Path.of(named)
            : Path.of(System.getProperty("user.home"), ".cache/sophia/prometheus/usr/bin/promtool");
    assertThat(Files.isExecutable(tool))
        .as("promtool at %s (bin/setup-promtool.sh installs it; bin/test runs it)", tool)
        .isTrue();
    return tool;
  }

  private static String run(String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(RULES.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void rules_checkedAndUnitTestedByPromtool() throws Exception {
    String tool = promtool().toString();
    assertThat(run(tool, "check", "rules", "sophia-alerts.yml")).contains("SUCCESS: 5 rules found");
    assertThat(run(tool, "test", "rules", "sophia-alerts.test.yml")).contains("SUCCESS");
  }

  @Test
  void everySeriesTheRulesRead_isExposedByARealSophia() throws Exception {
    Set<String> read = new TreeSet<>();
    Matcher m = SERIES.matcher(Files.readString(RULES.resolve("sophia-alerts.yml")));
    while (m.find()) {
      read.add(m.group(1));
    }
    assertThat(read).contains("http_server_requests_seconds_bucket", "sophia_tasks_seconds_count");

    try (ScriptedOpenAiServer model = ScriptedOpenAiServer.start()) {
      model.reply("Write-ahead logging records changes first.", 100, 50);
      Path yaml =
          Files.writeString(
              dir.resolve("sophia.yaml"),
              "models:\n  prices:\n    \"openai_compatible:test-model\": {input: 1.0, output: 2.0}\n");
      var config =
          ConfigLoader.create(
                  Map.of(
                      "SOPHIA_DATA_DIR",
                      dir.resolve("data").toString(),
                      "SOPHIA_SERVER_PORT",
                      "0",
                      "SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL",
                      model.baseUrl(),
                      "SOPHIA_MODELS_DEFAULT_CHAIN",
                      "openai_compatible:test-model"))
              .load(Optional.of(yaml));
      try (Sophia sophia = Sophia.open(config, Map.of())) {
        StringWriter console = new StringWriter();
        int port = sophia.serve(new PrintWriter(console));
        Matcher secret = SECRET.matcher(console.toString());
        assertThat(secret.find()).isTrue();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> query =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/intelligence/query"))
                    .header("Authorization", "Bearer " + secret.group(1))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"query\":\"What is write-ahead logging?\",\"agent_type\":\"analysis\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(query.statusCode()).as(query.body()).isEqualTo(200);
        String metrics =
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/metrics"))
                        .header("Authorization", "Bearer " + secret.group(1))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        for (String series : read) {
          assertThat(metrics)
              .as("/metrics exposes %s", series)
              .containsPattern("(?m)^" + series + "\\{");
        }
        assertThat(metrics).contains("operation=\"agent.analysis\"");
      }
    }
  }
}
