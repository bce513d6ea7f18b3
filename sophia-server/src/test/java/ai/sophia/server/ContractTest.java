package ai.sophia.server;

import static ai.sophia.server.TestServer.bearer;
import static ai.sophia.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.code.GitRemotes;
import ai.sophia.code.LoopbackGitHub;
import ai.sophia.health.HealthChecks;
import ai.sophia.model.ScriptedOpenAiServer;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §2's contracts, field by field: every field the original design's clients read is present
 * with its JSON type. One real server with a recording researcher (chat), a loopback model (swarms,
 * agents), a bare repository behind a loopback GitHub (code) and a command target (deploy); its
 * health checks are the real store, index and agent checks.
 */
class ContractTest {
  private static final String JSON = "application/json";
  private static final String TOKEN = "ghp_contractTestToken_abcdef123456";

  @TempDir Path dir;
  private final ScriptedOpenAiServer model = ScriptedOpenAiServer.start();
  private LoopbackGitHub github;
  private TestServer server;
  private String developer;

  @BeforeEach
  void start() throws Exception {
    Path remote = GitRemotes.bare(dir.resolve("demo.git"));
    Path work = Files.createDirectories(dir.resolve("work"));
    Path data = Files.createDirectories(dir.resolve("data"));
    github = LoopbackGitHub.start("acme", "demo", TOKEN);
    String yaml =
        "code:\n  repositories:\n    demo:\n      url: "
            + remote
            + "\n      token_env: DEMO_TOKEN\n      github: {api_url: "
            + github.apiUrl()
            + ", owner: acme, repo: demo}\n"
            + "deploy:\n  targets:\n    site:\n      type: command\n"
            + "      command: [sh, -c, \"echo shipping {version}\"]\n      working_dir: \""
            + work
            + "\"\n";
    server =
        TestServer.create(
            data,
            Map.of(
                "DEMO_TOKEN",
                TOKEN,
                "SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL",
                model.baseUrl(),
                "SOPHIA_MODELS_DEFAULT_CHAIN",
                "openai_compatible:test-model",
                "SOPHIA_MODELS_MAX_ATTEMPTS",
                "1"),
            yaml,
            new ChatRouteTest.RecordingResearcher(),
            HealthChecks.create());
    server.health.register(server.database.healthCheck()).register(server.index.healthCheck());
    server.agents.healthChecks().forEach(server.health::register);
    developer = server.key(Role.developer);
  }

  @AfterEach
  void stop() {
    server.close();
    github.close();
    model.close();
  }

  @Test
  void chat_specRequest_everyResponseFieldTyped() {
    JsonNode body = ok(post("/api/v1/chat", "{\"query\":\"what is rust\"}"), 200);

    assertShape(
        body,
        "query:string",
        "sources:array",
        "answer:string",
        "citations:array",
        "metadata:object",
        "research_quality_score:number",
        "timestamp:string");
    assertShape(
        body.at("/sources/0"),
        "url:string",
        "title:string",
        "summary:string",
        "relevance_score:number",
        "source:string");
    assertShape(
        body.at("/metadata"),
        "sources_found:integer",
        "search_engine:string",
        "mode:string",
        "timings_ms:object");
  }

  @Test
  void swarmTrigger_specRequest_everyResponseFieldTyped() {
    model
        .reply("{\"subtasks\":[{\"task\":\"Digest what we know\",\"agent\":\"analysis\"}]}")
        .reply("Heliograph relays metrics [1].\n\nSources:\n[1] http://docs/");

    JsonNode body =
        ok(
            post(
                "/api/v1/swarm/trigger",
                "{\"task\":\"What do we know about Heliograph?\",\"priority\":\"normal\","
                    + "\"wait\":true}"),
            200);

    assertShape(
        body,
        "task_id:string",
        "agent_ids:array",
        "coordination_logs:array",
        "execution_timeline:array",
        "swarm_health:object",
        "timestamp:string",
        "results:object",
        "swarm_performance:object");
    assertShape(
        body.at("/results"), "per_agent:array", "aggregated:object", "quality_report:object");
  }

  @Test
  void codeModify_specRequest_everyResponseFieldTyped() {
    JsonNode body =
        ok(
            post(
                "/api/v1/code/modify",
                "{\"content\":\"# Hello\\n\",\"file_path\":\"auto_generated.md\","
                    + "\"commit_message\":\"docs: hello\",\"branch_name\":\"docs/hello\"}"),
            201);

    assertShape(
        body,
        "commit_hash:string",
        "pr_url:string",
        "pr_number:integer",
        "branch_name:string",
        "file_path:string",
        "github_status:string",
        "timestamp:string");
  }

  @Test
  void deployTrigger_specRequest_everyResponseFieldTyped() {
    JsonNode body =
        ok(
            post(
                "/api/v1/deploy/trigger",
                "{\"deployment_type\":\"standard\",\"environment\":\"production\","
                    + "\"force_rebuild\":false,\"target\":\"site\"}"),
            202);

    assertShape(
        body,
        "deployment_id:string",
        "deployment_url:string?",
        "logs:array",
        "status:string",
        "timestamp:string");
  }

  @Test
  void intelligenceQuery_defaultAgent_everyResponseFieldTyped() {
    model.reply("Write-ahead logging records changes first.");

    JsonNode body =
        ok(post("/api/v1/intelligence/query", "{\"query\":\"What is write-ahead logging?\"}"), 200);

    assertShape(body, "status:string", "data:object", "metadata:object");
    assertThat(body.at("/status").asText()).isEqualTo("success");
    assertShape(body.at("/metadata"), "agent:string", "timestamp:string");
    assertThat(body.at("/metadata/agent").asText()).isEqualTo("general");
    assertShape(body.at("/data"), "answer:string", "run_id:string", "run_status:string");
  }

  @Test
  void intelligenceHealth_agentsAndMemory_aStatusPerComponent() {
    JsonNode body = ok(get("/api/v1/intelligence/health"), 200);

    assertShape(body, "status:string", "timestamp:string", "components:array");
    assertThat(body.at("/components").findValuesAsText("name"))
        .contains("store", "index", "agent.general", "agent.research")
        .allMatch(n -> n.startsWith("agent.") || n.equals("store") || n.equals("index"));
    for (JsonNode component : body.at("/components")) {
      assertShape(component, "name:string", "status:string", "detail:string");
    }
    assertThat(server.get("/api/v1/intelligence/health").statusCode()).isEqualTo(401);
  }

  @Test
  void health_noKey_everyResponseFieldTyped() {
    JsonNode body = ok(server.get("/health"), 200);

    assertShape(body, "status:string", "timestamp:string", "components:array");
    assertShape(
        body.at("/components/0"),
        "name:string",
        "status:string",
        "detail:string",
        "latency_ms:integer");
  }

  @Test
  void systemStats_anyKey_everyResponseFieldTyped() {
    JsonNode body = ok(get("/api/v1/system/stats"), 200);

    assertShape(
        body,
        "version:string",
        "uptime:number",
        "memory_usage:object",
        "cpu_usage:object",
        "active_agents:integer",
        "request_rate:number",
        "cache_hit_ratio:number",
        "timestamp:string");
  }

  private HttpResponse<String> post(String path, String body) {
    return server.post(path, JSON, body, "Authorization", bearer(developer));
  }

  private HttpResponse<String> get(String path) {
    return server.get(path, "Authorization", bearer(developer));
  }

  private static JsonNode ok(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return json(response);
  }

  /**
   * Each {@code name:type} is present with that JSON type: string, number, integer, boolean, array
   * or object; a trailing {@code ?} also allows null.
   */
  private static void assertShape(JsonNode node, String... fields) {
    assertThat(node.isObject()).as("an object: %s", node).isTrue();
    for (String field : fields) {
      String name = field.substring(0, field.indexOf(':'));
      String type = field.substring(field.indexOf(':') + 1);
      boolean nullable = type.endsWith("?");
      type = nullable ? type.substring(0, type.length() - 1) : type;
      JsonNode value = node.get(name);
      assertThat(value).as("field %s in %s", name, node).isNotNull();
      if (nullable && value.isNull()) {
        continue;
      }
      boolean typed =
          switch (type) {
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber();
            case "boolean" -> value.isBoolean();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> throw new IllegalArgumentException("unknown type " + type);
          };
      assertThat(typed).as("%s is a %s in %s", name, type, node).isTrue();
    }
  }
}
