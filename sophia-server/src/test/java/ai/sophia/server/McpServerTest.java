package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.code.GitRemotes;
import ai.sophia.config.ConfigLoader;
import ai.sophia.config.SophiaConfig;
import ai.sophia.ingest.IngestProgress;
import ai.sophia.mcp.NodePeers;
import ai.sophia.security.Role;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sophia's MCP server at {@code /mcp}, as {@code sophia serve} builds it (real SQLite, Lucene,
 * embedding model, research over an ingested folder), driven over Streamable HTTP by the official
 * TypeScript SDK client ({@code sophia-mcp/src/test/node/client.mjs}).
 */
class McpServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static Sophia sophia;
  private static int port;
  private static String userKey;
  private static String readonlyKey;
  private static Path remote;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path docs = TestDocs.walFolder(dir);
    remote = GitRemotes.bare(dir.resolve("demo.git"));
    Path yaml =
        Files.writeString(
            dir.resolve("sophia.yaml"),
            "code:\n  repositories:\n    demo:\n      url: "
                + remote
                + "\ndeploy:\n  targets:\n    shipit:\n      type: command\n"
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
    sophia.ingestor().ingest(docs.toString(), false, IngestProgress.none());
    port = sophia.serve(new PrintWriter(new StringWriter()));
    userKey = sophia.apiKeys().create("mcp-user", Role.user).secret();
    readonlyKey = sophia.apiKeys().create("mcp-reader", Role.readonly).secret();
  }

  @AfterAll
  static void stop() {
    sophia.close();
  }

  private String url() {
    return "http://127.0.0.1:" + port + "/mcp";
  }

  private List<JsonNode> client(String key, String scenario) throws Exception {
    List<JsonNode> steps = new ArrayList<>();
    String target = JSON.writeValueAsString(Map.of("url", url(), "key", key));
    for (String line : NodePeers.runScript("client.mjs", target, scenario.replace('\'', '"'))) {
      steps.add(JSON.readTree(line));
    }
    return steps;
  }

  @Test
  void tsClient_withUserKey_listsToolsResearchesAndReadsTheResult() throws Exception {
    List<JsonNode> steps =
        client(
            userKey,
            "[{'op':'listTools'},"
                + "{'op':'callTool','name':'research','arguments':{'query':'how do readers work"
                + " in WAL mode','search_engine':'local'}},"
                + "{'op':'callTool','name':'memory_search','arguments':{'query':'write-ahead log',"
                + "'limit':3}},"
                + "{'op':'callTool','name':'agents_list'},"
                + "{'op':'callTool','name':'research','arguments':{'query':''}},"
                + "{'op':'listResourceTemplates'},{'op':'listPrompts'}]");

    JsonNode connect = steps.get(0);
    assertThat(connect.get("ok").asBoolean()).as(connect.toString()).isTrue();
    assertThat(connect.get("server").get("name").asText()).isEqualTo("sophia");
    assertThat(connect.get("protocol").asText()).isEqualTo("2025-11-25");
    JsonNode tools = steps.get(1).get("tools");
    List<String> names = new ArrayList<>();
    tools.forEach(t -> names.add(t.get("name").asText()));
    assertThat(names)
        .containsExactlyInAnyOrder(
            "research",
            "memory_search",
            "agents_list",
            "ask_agent",
            "code_modify",
            "swarm_trigger",
            "swarm_status",
            "deploy_trigger",
            "deploy_status");
    tools.forEach(t -> assertThat(t.has("outputSchema")).as(t.toString()).isTrue());

    JsonNode research = steps.get(2);
    assertThat(research.get("ok").asBoolean()).as(research.toString()).isTrue();
    JsonNode structured = research.get("result").get("structuredContent");
    assertThat(research.get("result").get("isError").asBoolean()).isFalse();
    assertThat(structured.get("sources").get(0).get("url").asText()).endsWith("wal.md");
    assertThat(structured.get("answer").asText()).contains("[1]");
    assertThat(research.get("progress").size()).as("progress notifications").isPositive();
    String id = structured.get("id").asText();

    JsonNode memory = steps.get(3).get("result").get("structuredContent");
    assertThat(memory.get("results").get(0).get("url").asText()).endsWith("wal.md");
    JsonNode agents = steps.get(4).get("result").get("structuredContent").get("agents");
    assertThat(agents.findValuesAsText("name")).contains("research", "analysis", "coordinator");

    JsonNode bad = steps.get(5).get("result");
    assertThat(bad.get("isError").asBoolean()).as(bad.toString()).isTrue();
    assertThat(bad.get("content").get(0).get("text").asText()).contains("query");
    assertThat(steps.get(6).toString())
        .contains(
            "sophia://research/{id}",
            "sophia://runs/{id}",
            "sophia://swarms/{id}",
            "sophia://deployments/{id}");
    assertThat(steps.get(7).toString()).contains("research_question");

    List<JsonNode> read =
        client(userKey, "[{'op':'readResource','uri':'sophia://research/" + id + "'}]");
    JsonNode contents = read.get(1).get("result").get("contents").get(0);
    assertThat(contents.get("mimeType").asText()).isEqualTo("application/json");
    assertThat(JSON.readTree(contents.get("text").asText()).get("query").asText())
        .isEqualTo("how do readers work in WAL mode");
  }

  @Test
  void tsClient_askAgent_runsTheAgentAndItsRunIsAResource() throws Exception {
    List<JsonNode> steps =
        client(
            userKey,
            "[{'op':'callTool','name':'ask_agent','arguments':{'agent':'analysis',"
                + "'question':'what does a checkpoint do in WAL mode?'}}]");
    JsonNode result = steps.get(1).get("result");
    assertThat(result.get("isError").asBoolean()).as(result.toString()).isFalse();
    JsonNode out = result.get("structuredContent");
    assertThat(out.get("status").asText()).isEqualTo("succeeded");
    assertThat(out.get("mode").asText()).isEqualTo("offline");
    assertThat(out.get("answer").asText()).contains("wal.md");

    List<JsonNode> read =
        client(
            userKey,
            "[{'op':'readResource','uri':'sophia://runs/" + out.get("run_id").asText() + "'}]");
    JsonNode run =
        JSON.readTree(read.get(1).get("result").get("contents").get(0).get("text").asText());
    assertThat(run.get("agent").asText()).isEqualTo("analysis");
    assertThat(run.get("status").asText()).isEqualTo("succeeded");
  }

  @Test
  void tsClient_complete_suggestsAgentsTargetsAndOwnRunIds() throws Exception {
    String runId =
        client(
                userKey,
                "[{'op':'callTool','name':'ask_agent','arguments':{'agent':'analysis',"
                    + "'question':'what is a checkpoint?'}}]")
            .get(1)
            .at("/result/structuredContent/run_id")
            .asText();
    List<JsonNode> steps =
        client(
            userKey,
            "[{'op':'complete','ref':{'type':'ref/prompt','name':'ask_agent'},"
                + "'argument':{'name':'agent','value':'AN'}},"
                + "{'op':'complete','ref':{'type':'ref/prompt','name':'deploy'},"
                + "'argument':{'name':'target','value':''}},"
                + "{'op':'complete','ref':{'type':'ref/prompt','name':'research_question'},"
                + "'argument':{'name':'engine','value':'duck'}},"
                + "{'op':'complete','ref':{'type':'ref/resource','uri':'sophia://runs/{id}'},"
                + "'argument':{'name':'id','value':'"
                + runId.substring(0, 6)
                + "'}},"
                + "{'op':'complete','ref':{'type':'ref/prompt','name':'ask_agent'},"
                + "'argument':{'name':'task','value':'any'}},"
                + "{'op':'complete','ref':{'type':'ref/prompt','name':'no_such_prompt'},"
                + "'argument':{'name':'x','value':''}}]");

    assertThat(steps.get(1).at("/result/completion/values").toString()).isEqualTo("[\"analysis\"]");
    assertThat(steps.get(2).at("/result/completion/values").toString()).isEqualTo("[\"shipit\"]");
    assertThat(steps.get(3).at("/result/completion/values").toString())
        .isEqualTo("[\"duckduckgo\"]");
    assertThat(steps.get(4).at("/result/completion/values").toString()).contains(runId);
    assertThat(steps.get(5).at("/result/completion/values").size()).isZero();
    assertThat(steps.get(6).get("ok").asBoolean()).isFalse();
    assertThat(steps.get(6).get("code").asInt()).isEqualTo(-32602);

    // Another key's runs are not offered.
    List<JsonNode> other =
        client(
            readonlyKey,
            "[{'op':'complete','ref':{'type':'ref/resource','uri':'sophia://runs/{id}'},"
                + "'argument':{'name':'id','value':''}}]");
    assertThat(other.get(1).at("/result/completion/values").toString()).doesNotContain(runId);
  }

  @Test
  void tsClient_codeModify_developerCommitsProtectedPathAndUserRefused() throws Exception {
    String developer = sophia.apiKeys().create("mcp-dev", Role.developer).secret();
    List<JsonNode> steps =
        client(
            developer,
            "[{'op':'callTool','name':'code_modify','arguments':{'repository':'demo',"
                + "'files':[{'path':'notes/mcp.md','content':'# From MCP\\n'}],"
                + "'message':'docs: from mcp'}},"
                + "{'op':'callTool','name':'code_modify','arguments':{'repository':'demo',"
                + "'files':[{'path':'.github/workflows/ci.yml','content':'on: push'}]}},"
                + "{'op':'callTool','name':'code_modify','arguments':{'repository':'demo',"
                + "'files':[{'path':'x.md','content':'x'}],'approve_protected':true}}]");
    List<JsonNode> asUser =
        client(
            userKey,
            "[{'op':'callTool','name':'code_modify','arguments':{'repository':'demo',"
                + "'files':[{'path':'y.md','content':'y'}]}}]");

    JsonNode made = steps.get(1).get("result");
    assertThat(made.get("isError").asBoolean()).as(made.toString()).isFalse();
    JsonNode change = made.get("structuredContent");
    String branch = change.get("branch_name").asText();
    assertThat(branch).startsWith("sophia/");
    assertThat(change.get("commit_hash").asText())
        .isEqualTo(GitRemotes.tip(remote, branch).getName());
    assertThat(GitRemotes.read(remote, branch, "notes/mcp.md")).isEqualTo("# From MCP\n");
    assertThat(change.get("github_status").asText()).isEqualTo("no_pr_api");
    assertThat(steps.get(2).get("result").get("isError").asBoolean()).isTrue();
    assertThat(steps.get(2).get("result").toString()).contains("protected");
    assertThat(steps.get(3).get("result").get("isError").asBoolean()).isTrue();
    assertThat(steps.get(3).get("result").toString()).contains("approve_protected needs an admin");
    assertThat(asUser.get(1).get("result").get("isError").asBoolean()).isTrue();
    assertThat(asUser.get(1).get("result").toString()).contains("needs role developer");
    List<ai.sophia.security.AuditEntry> all = new ArrayList<>();
    sophia.audit().forEach(all::add);
    assertThat(all)
        .filteredOn(e -> e.action().equals("MCP code_modify"))
        .extracting(e -> e.target() + " " + e.actorRole() + " " + e.outcome())
        .contains("code_modify demo developer succeeded", "code_modify demo user failed");
    assertThat(GitRemotes.branches(remote)).hasSize(2);
  }

  @Test
  void tsClient_swarmTrigger_waitsForTheReportAndTheSwarmIsAResource() throws Exception {
    List<JsonNode> steps =
        client(
            userKey,
            "[{'op':'callTool','name':'swarm_trigger','arguments':{'task':'how do readers work"
                + " in WAL mode','pattern':'research','agents':['analysis']}},"
                + "{'op':'callTool','name':'swarm_trigger','arguments':{'task':''}},"
                + "{'op':'callTool','name':'swarm_trigger','arguments':{'task':'x',"
                + "'rounds':'many'}}]");
    JsonNode result = steps.get(1).get("result");
    assertThat(result.get("isError").asBoolean()).as(result.toString()).isFalse();
    JsonNode report = result.get("structuredContent");
    String id = report.get("task_id").asText();
    assertThat(id).startsWith("swarm-");
    assertThat(report.get("status").asText()).isIn("succeeded", "partial");
    assertThat(report.get("execution_timeline").findValuesAsText("step"))
        .contains("task_analysis", "quality_check");
    assertThat(steps.get(1).get("progress").size()).as("progress notifications").isPositive();
    JsonNode bad = steps.get(2).get("result");
    assertThat(bad.get("isError").asBoolean()).isTrue();
    assertThat(bad.toString()).contains("task");
    JsonNode wrongType = steps.get(3).get("result");
    assertThat(wrongType.get("isError").asBoolean()).as(wrongType.toString()).isTrue();
    assertThat(wrongType.toString()).contains("rounds").doesNotContain("internal error");

    List<JsonNode> later =
        client(
            userKey,
            "[{'op':'callTool','name':'swarm_status','arguments':{'task_id':'"
                + id
                + "'}},{'op':'readResource','uri':'sophia://swarms/"
                + id
                + "'}]");
    assertThat(later.get(1).get("result").get("structuredContent").get("task_id").asText())
        .isEqualTo(id);
    JsonNode contents = later.get(2).get("result").get("contents").get(0);
    assertThat(JSON.readTree(contents.get("text").asText()).get("task_id").asText()).isEqualTo(id);
    List<JsonNode> other =
        client(
            readonlyKey,
            "[{'op':'callTool','name':'swarm_status','arguments':{'task_id':'" + id + "'}}]");
    assertThat(other.get(1).get("result").get("isError").asBoolean()).isTrue();
    assertThat(other.get(1).get("result").toString()).contains("no swarm with id");
  }

  @Test
  void tsClient_deployTrigger_developerDeploysUserRefused() throws Exception {
    String developer = sophia.apiKeys().create("mcp-deployer", Role.developer).secret();
    List<JsonNode> steps =
        client(
            developer,
            "[{'op':'callTool','name':'deploy_trigger','arguments':{'target':'shipit',"
                + "'version':'v7'}},"
                + "{'op':'callTool','name':'deploy_trigger','arguments':{'target':'nowhere'}},"
                + "{'op':'callTool','name':'deploy_trigger','arguments':{'target':'shipit',"
                + "'force_rebuild':'yes'}}]");
    JsonNode result = steps.get(1).get("result");
    assertThat(result.get("isError").asBoolean()).as(result.toString()).isFalse();
    JsonNode deployment = result.get("structuredContent");
    assertThat(deployment.get("status").asText()).isEqualTo("healthy");
    assertThat(deployment.get("logs").toString()).contains("shipping v7");
    assertThat(deployment.get("timeline").findValuesAsText("status"))
        .containsSubsequence("requested", "running", "healthy");
    assertThat(steps.get(2).get("result").get("isError").asBoolean()).isTrue();
    assertThat(steps.get(2).get("result").toString()).contains("nowhere");
    JsonNode wrongType = steps.get(3).get("result");
    assertThat(wrongType.get("isError").asBoolean()).as(wrongType.toString()).isTrue();
    assertThat(wrongType.toString()).contains("force_rebuild");
    String id = deployment.get("deployment_id").asText();

    List<JsonNode> asUser =
        client(
            userKey,
            "[{'op':'callTool','name':'deploy_trigger','arguments':{'target':'shipit'}},"
                + "{'op':'callTool','name':'deploy_status','arguments':{'deployment_id':'"
                + id
                + "'}},{'op':'readResource','uri':'sophia://deployments/"
                + id
                + "'}]");
    assertThat(asUser.get(1).get("result").get("isError").asBoolean()).isTrue();
    assertThat(asUser.get(1).get("result").toString()).contains("needs role developer");
    // Each change made over MCP is in the audit log, with its caller and outcome; reads are not.
    List<ai.sophia.security.AuditEntry> all = new ArrayList<>();
    sophia.audit().forEach(all::add);
    List<ai.sophia.security.AuditEntry> audited =
        all.stream().filter(e -> e.action().startsWith("MCP ")).toList();
    assertThat(audited).as(all.stream().map(e -> e.action()).toList().toString()).isNotEmpty();
    assertThat(audited)
        .filteredOn(e -> e.action().equals("MCP deploy_trigger"))
        .extracting(e -> e.target() + " " + e.actorRole() + " " + e.outcome())
        .contains(
            "deploy_trigger shipit developer succeeded",
            "deploy_trigger nowhere developer failed",
            "deploy_trigger shipit user failed");
    assertThat(audited).noneMatch(e -> e.action().equals("MCP deploy_status"));
    assertThat(asUser.get(2).get("result").get("structuredContent").get("status").asText())
        .isEqualTo("healthy");
    JsonNode contents = asUser.get(3).get("result").get("contents").get(0);
    assertThat(JSON.readTree(contents.get("text").asText()).get("deployment_id").asText())
        .isEqualTo(id);
  }

  @Test
  void tsClient_readonlyKey_mayListButNotResearch() throws Exception {
    List<JsonNode> steps =
        client(
            readonlyKey,
            "[{'op':'callTool','name':'agents_list'},"
                + "{'op':'callTool','name':'research','arguments':{'query':'anything'}}]");
    assertThat(steps.get(1).get("result").get("isError").asBoolean()).isFalse();
    JsonNode denied = steps.get(2).get("result");
    assertThat(denied.get("isError").asBoolean()).isTrue();
    assertThat(denied.get("content").get(0).get("text").asText()).contains("role user");
  }

  @Test
  void tsClient_withoutKey_isRefusedWith401() throws Exception {
    List<JsonNode> steps = client("", "[]");
    assertThat(steps.get(0).get("ok").asBoolean()).isFalse();
    assertThat(steps.get(0).get("error").asText()).contains("401");
  }

  @Test
  void post_withoutKey_401PointsToProtectedResourceMetadata() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url()))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(401);
    String challenge = response.headers().firstValue("WWW-Authenticate").orElseThrow();
    assertThat(challenge)
        .startsWith("Bearer ")
        .contains(
            "resource_metadata=\"http://127.0.0.1:"
                + port
                + "/.well-known/oauth-protected-resource\"");

    HttpResponse<String> metadata =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + port + "/.well-known/oauth-protected-resource"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metadata.statusCode()).isEqualTo(200);
    JsonNode doc = JSON.readTree(metadata.body());
    assertThat(doc.get("resource").asText()).isEqualTo(url());
    assertThat(doc.get("bearer_methods_supported").get(0).asText()).isEqualTo("header");
  }

  @Test
  void post_fromForeignOrigin_isRefusedBeforeTheKeyIsChecked() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url()))
                .header("Origin", "http://evil.example")
                .header("Authorization", "Bearer " + userKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("mcp.allowed_origins");
  }
}
