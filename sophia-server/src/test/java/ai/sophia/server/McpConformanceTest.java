package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.mcp.NodePeers;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance}, pinned in {@code
 * sophia-mcp/src/test/node}) against Sophia's {@code /mcp} as {@code sophia serve} builds it,
 * through a loopback forwarder that adds the API key (the suite cannot send one).
 *
 * <p>Every scenario that applies to Sophia runs and must have no failed check. {@code
 * completion-complete} runs too, but asks to complete an argument of the suite's own fixture prompt
 * {@code test_prompt_with_arguments}: Sophia answers it as the MCP specification's completion
 * errors say, {@code -32602} for an unknown prompt, which the suite counts as its one failure (it
 * was {@code -32601} Method not found before Sophia offered completions; McpServerTest completes
 * Sophia's own prompts and templates). The suite's other scenarios test fixtures of its reference
 * server (tools, resources and prompts named {@code test_*}) or features Sophia does not offer;
 * {@link #EXCLUDED} says which and why.
 */
class McpConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The scenarios that apply to Sophia. */
  static final List<String> APPLICABLE =
      List.of(
          "server-initialize",
          "logging-set-level",
          "ping",
          "tools-list",
          "resources-list",
          "prompts-list",
          "server-sse-polling",
          "server-sse-multiple-streams",
          "dns-rebinding-protection");

  /** Runs, but completes an argument of a prompt only the suite's reference server has. */
  static final String COMPLETION = "completion-complete";

  /** The suite's server scenarios that do not apply, and why. */
  static final Map<String, String> EXCLUDED = excluded();

  @TempDir static Path dir;
  private static Sophia sophia;
  private static Map<String, JsonNode> results;

  @BeforeAll
  static void start() throws Exception {
    Path yaml =
        Files.writeString(
            dir.resolve("sophia.yaml"),
            "deploy:\n  targets:\n    shipit:\n      type: command\n"
                + "      command: [sh, -c, \"echo shipping {version}\"]\n");
    SophiaConfig config =
        ConfigLoader.create(
                Map.of(
                    "SOPHIA_DATA_DIR",
                    dir.resolve("data").toString(),
                    "SOPHIA_SERVER_PORT",
                    "0",
                    "SOPHIA_MODELS_MODE",
                    "offline"))
            .load(Optional.of(yaml));
    sophia = Sophia.open(config, Map.of());
    int port = sophia.serve(new PrintWriter(new StringWriter()));
    String key = sophia.apiKeys().create("conformance", Role.user).secret();
    String target =
        JSON.writeValueAsString(Map.of("url", "http://127.0.0.1:" + port + "/mcp", "key", key));
    Path out = Files.createDirectories(dir.resolve("results"));
    List<String> args = new ArrayList<>(List.of(target, out.toString(), COMPLETION));
    args.addAll(APPLICABLE);
    results = new HashMap<>();
    for (String line : NodePeers.runScript("conformance.mjs", args.toArray(String[]::new))) {
      JsonNode result = JSON.readTree(line);
      results.put(result.path("scenario").asText(), result);
    }
  }

  @AfterAll
  static void stop() {
    if (sophia != null) {
      sophia.close();
    }
  }

  @Test
  void applicableScenarios_everyCheck_noneFails() {
    assertThat(results.keySet()).containsAll(APPLICABLE);
    for (String scenario : APPLICABLE) {
      JsonNode result = results.get(scenario);
      assertThat(result.path("checks").size()).as(scenario).isPositive();
      for (JsonNode check : result.path("checks")) {
        assertThat(check.path("status").asText())
            .as("%s: %s", scenario, check)
            .isNotEqualTo("FAILURE");
      }
      assertThat(result.path("exit").asInt()).as(result.toString()).isZero();
    }
  }

  @Test
  void completionComplete_fixturePrompt_reachesSophiasCompletions() {
    assertThat(results).containsKey(COMPLETION);
    JsonNode checks = results.get(COMPLETION).path("checks");
    assertThat(checks.size()).isOne();
    assertThat(checks.get(0).path("errorMessage").asText())
        .as(checks.toString())
        .contains("-32602")
        .contains("test_prompt_with_arguments")
        .doesNotContain("-32601");
  }

  @Test
  void sseStreams_primingEventAndRetry_succeed() {
    // A warning is how the suite reports a missing priming event or retry field.
    assertThat(status("server-sse-polling", "server-sse-priming-event")).isEqualTo("SUCCESS");
    assertThat(status("server-sse-polling", "server-sse-retry-field")).isEqualTo("SUCCESS");
    assertThat(status("server-sse-multiple-streams", "server-sse-streams-functional"))
        .isEqualTo("SUCCESS");
  }

  @Test
  void excludedScenarios_areTheSuitesOthers() {
    List<String> listed =
        NodePeers.runScript(
                "node_modules/@modelcontextprotocol/conformance/dist/index.js", "list", "--server")
            .stream()
            .filter(line -> line.strip().startsWith("- "))
            .map(line -> line.strip().substring(2))
            .toList();
    assertThat(listed).containsAll(APPLICABLE).containsAll(EXCLUDED.keySet()).contains(COMPLETION);
    assertThat(listed).hasSize(APPLICABLE.size() + EXCLUDED.size() + 1);
  }

  private static String status(String scenario, String check) {
    for (JsonNode c : results.get(scenario).path("checks")) {
      if (c.path("id").asText().equals(check)) {
        return c.path("status").asText() + (c.path("errorMessage").isNull() ? "" : ": " + c);
      }
    }
    return "missing";
  }

  private static Map<String, String> excluded() {
    String fixture = "tests a fixture of the suite's reference server that Sophia does not have: ";
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (String tool :
        List.of(
            "tools-call-simple-text",
            "tools-call-image",
            "tools-call-audio",
            "tools-call-embedded-resource",
            "tools-call-mixed-content",
            "tools-call-with-logging",
            "tools-call-error",
            "tools-call-with-progress",
            "tools-call-sampling",
            "tools-call-elicitation",
            "json-schema-2020-12",
            "elicitation-sep1034-defaults",
            "elicitation-sep1330-enums")) {
      m.put(tool, fixture + "a test_* tool");
    }
    for (String resource :
        List.of("resources-read-text", "resources-read-binary", "resources-templates-read")) {
      m.put(resource, fixture + "a test:// resource");
    }
    for (String prompt :
        List.of(
            "prompts-get-simple",
            "prompts-get-with-args",
            "prompts-get-embedded-resource",
            "prompts-get-with-image")) {
      m.put(prompt, fixture + "a test_* prompt");
    }
    String subscribe =
        "Sophia does not offer resource subscriptions: a run is followed with swarm_status or"
            + " deploy_status, or over the REST API's event streams";
    m.put("resources-subscribe", subscribe);
    m.put("resources-unsubscribe", subscribe);
    return Map.copyOf(m);
  }
}
