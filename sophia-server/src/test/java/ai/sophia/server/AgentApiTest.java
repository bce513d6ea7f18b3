package ai.sophia.server;

import static ai.sophia.server.TestServer.bearer;
import static ai.sophia.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.model.ScriptedOpenAiServer;
import ai.sophia.model.ToolCall;
import ai.sophia.security.Role;
import ai.sophia.tool.CountingTool;
import ai.sophia.tool.Risk;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent API end to end: a real server whose agents call Sophia's real model gateway, which
 * talks to a loopback server speaking the OpenAI chat-completions wire format (the paid providers
 * cannot be reached here), a real write tool behind the approval gate, and server-sent events read
 * over HTTP.
 */
class AgentApiTest {
  private static final String JSON = "application/json";

  @TempDir Path dir;
  private final ScriptedOpenAiServer model = ScriptedOpenAiServer.start();
  private final CountingTool commit = new CountingTool("commit", Risk.write);
  private TestServer server;
  private String user;

  @BeforeEach
  void start() {
    server =
        TestServer.withTools(
            dir,
            Map.of(
                "SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL", model.baseUrl(),
                "SOPHIA_MODELS_DEFAULT_CHAIN", "openai_compatible:test-model",
                "SOPHIA_MODELS_BACKOFF_INITIAL_MS", "10",
                "SOPHIA_MODELS_BACKOFF_MAX_MS", "20"),
            "",
            commit);
    user = server.key(Role.user);
  }

  @AfterEach
  void stop() {
    server.close();
    model.close();
  }

  @Test
  void agents_readonlyKey_listsBuiltInsWithHealth() {
    JsonNode body = json(server.get("/api/v1/agents", "Authorization", bearer(readonly())));

    assertThat(body.at("/agents").findValuesAsText("name"))
        .contains("research", "analysis", "commit", "deployment", "coordinator", "general");
    JsonNode commitAgent = agent(body, "commit");
    assertThat(commitAgent.at("/level").asInt()).isEqualTo(2);
    assertThat(commitAgent.at("/health/status").asText()).isEqualTo("up");
    assertThat(agent(body, "deployment").at("/health/status").asText()).isEqualTo("degraded");
    assertThat(agent(body, "deployment").at("/missing_tools/0").asText()).isEqualTo("deploy");
  }

  @Test
  void query_modelAnswers_specShapeWithUsage() {
    model.reply("Write-ahead logging records changes before they reach the data files.");

    HttpResponse<String> response =
        server.post(
            "/api/v1/intelligence/query",
            JSON,
            "{\"query\":\"What is write-ahead logging?\",\"agent_type\":\"analysis\"}",
            "Authorization",
            bearer(user));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.at("/status").asText()).isEqualTo("success");
    assertThat(body.at("/data/run_status").asText()).isEqualTo("succeeded");
    assertThat(body.at("/data/answer").asText()).startsWith("Write-ahead logging records");
    assertThat(body.at("/metadata/agent").asText()).isEqualTo("analysis");
    assertThat(body.at("/metadata/mode").asText()).isEqualTo("model");
    assertThat(body.at("/metadata/model_calls").asInt()).isEqualTo(1);
    assertThat(body.at("/metadata/input_tokens").asLong()).isPositive();
    assertThat(model.bodies().get(0).at("/model").asText()).isEqualTo("test-model");
    JsonNode stats = json(server.get("/api/v1/system/stats", "Authorization", bearer(user)));
    assertThat(stats.at("/model_usage/calls").asLong()).isEqualTo(1);
    assertThat(stats.at("/model_usage/by_model/openai_compatible:test-model/ok").asLong())
        .isEqualTo(1);
    assertThat(stats.at("/model_usage/by_agent/analysis/calls").asLong()).isEqualTo(1);
    assertThat(stats.at("/active_agents").asInt()).isZero();
    JsonNode daily = json(server.get("/api/v1/usage/daily?days=2", "Authorization", bearer(user)));
    assertThat(daily.at("/usage/0/model").asText()).isEqualTo("openai_compatible:test-model");
    assertThat(daily.at("/usage/0/calls").asLong()).isEqualTo(1);
    assertThat(daily.at("/usage/0/day").asText())
        .isEqualTo(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString());
    assertThat(server.get("/api/v1/usage/daily?days=0", "Authorization", bearer(user)).statusCode())
        .isEqualTo(400);
  }

  @Test
  void query_noAgentType_generalRoutesToTheAgentThatFits() {
    model
        .toolCalls(
            new ToolCall(
                "call_1", "ask_agent", "{\"agent\":\"analysis\",\"question\":\"Digest WAL\"}"))
        .reply("WAL digest [1].")
        .reply("From analysis: WAL digest [1].");

    HttpResponse<String> response =
        server.post(
            "/api/v1/intelligence/query",
            JSON,
            "{\"query\":\"Digest what we know about WAL\"}",
            "Authorization",
            bearer(user));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.at("/status").asText()).isEqualTo("success");
    assertThat(body.at("/metadata/agent").asText()).isEqualTo("general");
    assertThat(body.at("/data/answer").asText()).isEqualTo("From analysis: WAL digest [1].");
    assertThat(model.requests()).hasSize(3);
  }

  @Test
  void query_writeToolNeedsApproval_successWithRunStatusWaiting() {
    model.toolCalls(new ToolCall("call_1", "commit", "{\"path\":\"notes.md\"}"));

    HttpResponse<String> response =
        server.post(
            "/api/v1/intelligence/query",
            JSON,
            "{\"query\":\"Commit notes.md\",\"agent_type\":\"commit\"}",
            "Authorization",
            bearer(user));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.at("/status").asText()).isEqualTo("success");
    assertThat(body.at("/data/run_status").asText()).isEqualTo("waiting_approval");
    assertThat(body.at("/data/pending_approvals/0/tool").asText()).isEqualTo("commit");
    assertThat(commit.invocations()).isZero();
  }

  @Test
  void query_modelRepliesEmpty_runGoesOfflineWithANoteNotAnEmptySuccess() {
    model.reply("", 0, 0);

    HttpResponse<String> response =
        server.post(
            "/api/v1/intelligence/query",
            JSON,
            "{\"query\":\"What is write-ahead logging?\",\"agent_type\":\"analysis\"}",
            "Authorization",
            bearer(user));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.at("/metadata/mode").asText()).as(body.toString()).isEqualTo("offline");
    assertThat(body.toString()).contains("empty reply");
    assertThat(model.requests()).hasSize(1);
    JsonNode stats = json(server.get("/api/v1/system/stats", "Authorization", bearer(user)));
    assertThat(stats.at("/model_usage/by_model/openai_compatible:test-model/ok").asLong()).isZero();
  }

  @Test
  void run_writeToolNeedsApproval_runsOnceAfterGrant() throws Exception {
    model
        .toolCalls(new ToolCall("call_1", "commit", "{\"path\":\"notes.md\"}"))
        .reply("Committed notes.md.");

    HttpResponse<String> started =
        server.post(
            "/api/v1/agents/commit/run",
            JSON,
            "{\"input\":\"Commit notes.md\"}",
            "Authorization",
            bearer(user));
    assertThat(started.statusCode()).isEqualTo(202);
    String runId = json(started).at("/run_id").asText();
    assertThat(started.headers().firstValue("Location")).hasValue("/api/v1/runs/" + runId);

    JsonNode pending = awaitPendingApproval();
    assertThat(pending.at("/run_id").asText()).isEqualTo(runId);
    assertThat(pending.at("/tool").asText()).isEqualTo("commit");
    assertThat(pending.at("/risk").asText()).isEqualTo("write");
    assertThat(commit.invocations()).isZero();
    String approval = "/api/v1/approvals/" + pending.at("/id").asText();

    // A user key may run agents but not approve what they do.
    assertThat(
            server
                .post(approval, JSON, "{\"decision\":\"grant\"}", "Authorization", bearer(user))
                .statusCode())
        .isEqualTo(403);
    String developer = server.key(Role.developer);
    HttpResponse<String> granted =
        server.post(
            approval,
            JSON,
            "{\"decision\":\"grant\",\"reason\":\"reviewed\"}",
            "Authorization",
            bearer(developer));
    assertThat(granted.statusCode()).isEqualTo(200);
    assertThat(json(granted).at("/status").asText()).isEqualTo("granted");

    List<Event> events = events(runId, null);
    assertThat(events.get(events.size() - 1).name()).isEqualTo("run_finished");
    assertThat(events.stream().map(Event::name))
        .containsSubsequence(
            "run_started",
            "model_reply",
            "approval_required",
            "approval_decided",
            "tool_started",
            "tool_finished",
            "model_reply",
            "run_finished");
    assertThat(commit.invocations()).isEqualTo(1);
    JsonNode run = json(server.get("/api/v1/runs/" + runId, "Authorization", bearer(user)));
    assertThat(run.at("/status").asText()).isEqualTo("succeeded");
    assertThat(run.at("/result/answer").asText()).isEqualTo("Committed notes.md.");
    assertThat(
            server
                .post(approval, JSON, "{\"decision\":\"deny\"}", "Authorization", bearer(developer))
                .statusCode())
        .isEqualTo(409);
  }

  @Test
  void events_lastEventId_resumesAfterIt() throws Exception {
    model.reply("Done.");
    String runId =
        json(server.post(
                "/api/v1/agents/analysis/run",
                JSON,
                "{\"input\":\"Summarize\",\"wait\":true}",
                "Authorization",
                bearer(user)))
            .at("/run_id")
            .asText();

    List<Event> all = events(runId, null);
    String last = Integer.toString(all.size());
    List<Event> rest = events(runId, Integer.toString(all.size() - 1));

    assertThat(all)
        .extracting(Event::id)
        .startsWith("1", "2")
        .endsWith(last)
        .doesNotHaveDuplicates();
    assertThat(all.get(0).name()).isEqualTo("run_started");
    assertThat(rest).extracting(Event::id).containsExactly(last);
    assertThat(rest.get(0).name()).isEqualTo("run_finished");
    assertThat(rest.get(0).data().at("/result/answer").asText()).isEqualTo("Done.");
  }

  @Test
  void runs_otherKey_cannotSeeRun() {
    model.reply("Private answer.");
    String runId =
        json(server.post(
                "/api/v1/agents/analysis/run",
                JSON,
                "{\"input\":\"Mine\",\"wait\":true}",
                "Authorization",
                bearer(user)))
            .at("/run_id")
            .asText();

    HttpResponse<String> other =
        server.get("/api/v1/runs/" + runId, "Authorization", bearer(server.key(Role.user)));
    HttpResponse<String> admin =
        server.get("/api/v1/runs/" + runId, "Authorization", bearer(server.key(Role.admin)));

    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(admin.statusCode()).isEqualTo(200);
  }

  @Test
  void cancel_slowModel_runEndsCancelled() {
    model.slow(Duration.ofSeconds(5), "too late");
    String runId =
        json(server.post(
                "/api/v1/agents/analysis/run",
                JSON,
                "{\"input\":\"Take your time\"}",
                "Authorization",
                bearer(user)))
            .at("/run_id")
            .asText();

    HttpResponse<String> cancelled =
        server.post("/api/v1/runs/" + runId + "/cancel", JSON, "", "Authorization", bearer(user));

    assertThat(cancelled.statusCode()).isEqualTo(202);
    JsonNode last = events(runId, null).getLast().data();
    assertThat(last.at("/result/status").asText()).isEqualTo("cancelled");
  }

  @Test
  void query_budgetSpent_402BeforeTheRunStarts() {
    server.close();
    // A dollar per output token against a one-dollar budget: the first answer spends it.
    server =
        TestServer.withTools(
            dir,
            Map.of(
                "SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL", model.baseUrl(),
                "SOPHIA_MODELS_DEFAULT_CHAIN", "openai_compatible:test-model",
                "SOPHIA_MODELS_DAILY_BUDGET_USD_PER_KEY", "1"),
            "models:\n  prices:\n    \"openai_compatible:test-model\": {input: 0, output: 1000000}\n");
    user = server.key(Role.user);
    model.reply("An answer that costs more than a dollar.");
    String query = "{\"query\":\"What is write-ahead logging?\",\"agent_type\":\"analysis\"}";

    HttpResponse<String> first =
        server.post("/api/v1/intelligence/query", JSON, query, "Authorization", bearer(user));
    HttpResponse<String> second =
        server.post("/api/v1/intelligence/query", JSON, query, "Authorization", bearer(user));
    JsonNode usage = json(server.get("/api/v1/usage", "Authorization", bearer(user)));

    assertThat(json(first).at("/status").asText()).isEqualTo("success");
    assertProblem(second, 402, null);
    assertThat(json(second).at("/detail").asText()).contains("daily model budget of $1.0000");
    assertThat(model.requests()).hasSize(1);
    assertThat(usage.at("/daily_budget_usd").asDouble()).isEqualTo(1.0);
    assertThat(usage.at("/spent_usd").asDouble()).isGreaterThanOrEqualTo(1.0);
    assertThat(usage.at("/remaining_usd").asDouble()).isZero();
  }

  @Test
  void badInput_clearProblems() {
    assertProblem(
        server.post(
            "/api/v1/intelligence/query",
            JSON,
            "{\"query\":\"x\",\"agent_type\":\"\"}",
            "Authorization",
            bearer(user)),
        400,
        "agent_type");
    assertProblem(
        server.post(
            "/api/v1/intelligence/query",
            JSON,
            "{\"query\":\"x\",\"agent_type\":\"nobody\"}",
            "Authorization",
            bearer(user)),
        404,
        null);
    assertProblem(
        server.post(
            "/api/v1/agents/commit/run",
            JSON,
            "{\"input\":\"x\",\"authorize\":[\"root\"]}",
            "Authorization",
            bearer(user)),
        400,
        "authorize[0]");
    assertProblem(
        server.post(
            "/api/v1/agents/commit/run",
            JSON,
            "{\"input\":\"" + "x".repeat(8001) + "\"}",
            "Authorization",
            bearer(user)),
        400,
        "input");
    assertProblem(
        server.post(
            "/api/v1/agents/commit/run",
            JSON,
            "{\"input\":\"x\",\"session_id\":\"../../etc\"}",
            "Authorization",
            bearer(user)),
        400,
        "session_id");
    assertProblem(
        server.post(
            "/api/v1/approvals/nope",
            JSON,
            "{\"decision\":\"maybe\"}",
            "Authorization",
            bearer(server.key(Role.admin))),
        400,
        "decision");
    assertProblem(server.get("/api/v1/runs/run-unknown", "Authorization", bearer(user)), 404, null);
    assertThat(commit.invocations()).isZero();
    assertThat(model.requests()).isEmpty();
  }

  private static void assertProblem(HttpResponse<String> response, int status, String field) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    if (field != null) {
      assertThat(json(response).at("/field").asText()).isEqualTo(field);
    }
  }

  private String readonly() {
    return server.key(Role.readonly);
  }

  private static JsonNode agent(JsonNode list, String name) {
    for (JsonNode a : list.at("/agents")) {
      if (a.at("/name").asText().equals(name)) {
        return a;
      }
    }
    throw new AssertionError("no agent " + name + " in " + list);
  }

  private JsonNode awaitPendingApproval() throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      JsonNode pending =
          json(server.get("/api/v1/approvals", "Authorization", bearer(user))).at("/approvals");
      if (pending.size() > 0) {
        return pending.get(0);
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no approval was requested");
  }

  record Event(String id, String name, JsonNode data) {}

  /** Reads the run's event stream to its end (run_finished). */
  private List<Event> events(String runId, String lastEventId) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port + "/api/v1/runs/" + runId + "/events"))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", bearer(user));
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    try {
      HttpResponse<Stream<String>> response =
          HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofLines());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
      List<Event> events = new ArrayList<>();
      String id = null;
      String name = null;
      Iterator<String> lines = response.body().iterator();
      while (lines.hasNext()) {
        String line = lines.next();
        if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          name = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          events.add(new Event(id, name, parse(line.substring(5).strip())));
          if ("run_finished".equals(name)) {
            break;
          }
        }
      }
      return events;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static JsonNode parse(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }
}
