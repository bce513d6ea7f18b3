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
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The swarm API over real HTTP: trigger, report, events, list, cancel, approvals, bad input. */
class SwarmApiTest {
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
                "SOPHIA_MODELS_MAX_ATTEMPTS", "1"),
            "",
            commit);
    user = server.key(Role.user);
  }

  @AfterEach
  void stop() {
    server.close();
    model.close();
  }

  private HttpResponse<String> trigger(String body, String key) {
    return server.post("/api/v1/swarm/trigger", JSON, body, "Authorization", bearer(key));
  }

  private void scriptOneAnalysis() {
    model
        .reply("{\"subtasks\":[{\"task\":\"Digest what we know\",\"agent\":\"analysis\"}]}")
        .reply("Heliograph relays metrics [1].\n\nSources:\n[1] http://docs/");
  }

  @Test
  void trigger_waitTrue_answersTheSpecResponseOnceFinished() {
    scriptOneAnalysis();

    HttpResponse<String> r =
        trigger("{\"task\":\"What do we know about Heliograph?\",\"wait\":true}", user);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = json(r);
    assertThat(body.path("task_id").asText()).startsWith("swarm-");
    assertThat(body.path("status").asText()).isEqualTo("succeeded");
    assertThat(body.path("agent_ids").findValuesAsText("")).isEmpty();
    assertThat(body.path("agent_ids").get(0).asText()).isEqualTo("analysis");
    assertThat(body.path("coordination_logs").size()).isEqualTo(4);
    assertThat(body.path("execution_timeline").findValuesAsText("step"))
        .containsExactly(
            "task_analysis",
            "agent_assignment",
            "parallel_execution",
            "parallel_execution[0]",
            "result_aggregation",
            "quality_check");
    assertThat(body.path("swarm_health").path("status").asText()).isEqualTo("healthy");
    assertThat(Instant.parse(body.path("timestamp").asText())).isBefore(Instant.now());
    assertThat(body.at("/results/per_agent/0/answer").asText()).contains("[1]");
    assertThat(body.at("/results/quality_report/meets_threshold").asBoolean()).isTrue();
    assertThat(body.at("/swarm_performance/coordination_overhead_ms").isNumber()).isTrue();
  }

  @Test
  void events_lastEventId_resumesAfterIt() {
    scriptOneAnalysis();
    HttpResponse<String> accepted = trigger("{\"task\":\"What do we know?\"}", user);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String id = json(accepted).path("task_id").asText();
    assertThat(accepted.headers().firstValue("Location")).hasValue("/api/v1/swarm/" + id);
    assertThat(json(accepted).at("/links/events").asText())
        .isEqualTo("/api/v1/swarm/" + id + "/events");

    String all =
        server.get("/api/v1/swarm/" + id + "/events", "Authorization", bearer(user)).body();
    String rest =
        server
            .get(
                "/api/v1/swarm/" + id + "/events",
                "Authorization",
                bearer(user),
                "Last-Event-ID",
                "3")
            .body();

    List<String> ids = all.lines().filter(l -> l.startsWith("id: ")).toList();
    assertThat(ids.getFirst()).isEqualTo("id: 1");
    assertThat(all).contains("event: plan").contains("event: agent_started").endsWith("\n\n");
    assertThat(all.lines().filter(l -> l.startsWith("event: ")).toList().getLast())
        .isEqualTo("event: run_finished");
    assertThat(rest.lines().filter(l -> l.startsWith("id: ")).findFirst()).hasValue("id: 4");
    assertThat(rest.lines().filter(l -> l.startsWith("id: ")).count()).isEqualTo(ids.size() - 3);
  }

  @Test
  void approve_developerKey_commitRunsOnceAndTheRunFinishes() throws Exception {
    scriptOneAnalysis();
    model
        .toolCalls(new ToolCall("call_1", "commit", "{\"what\":\"notes\"}"))
        .reply("Committed the notes.");
    String id =
        json(trigger(
                "{\"task\":\"Implement the notes\",\"pattern\":\"development\","
                    + "\"ask_approval\":true,\"repository\":\"demo\"}",
                user))
            .path("task_id")
            .asText();
    JsonNode waiting = awaitStatus(id, "waiting_approval");
    assertThat(waiting.path("execution_timeline").toString()).contains("approve_commit");
    String path = "/api/v1/swarm/" + id + "/steps/approve_commit/approve";

    HttpResponse<String> byUser = server.post(path, JSON, "{}", "Authorization", bearer(user));
    HttpResponse<String> byDeveloper =
        server.post(
            path,
            JSON,
            "{\"reason\":\"reviewed\"}",
            "Authorization",
            bearer(server.key(Role.developer)));
    String developer = server.key(Role.developer);
    awaitStep(id, "approve_deployment");
    HttpResponse<String> denied =
        server.post(
            "/api/v1/swarm/" + id + "/steps/approve_deployment/deny",
            JSON,
            "{\"reason\":\"not on a Friday\"}",
            "Authorization",
            bearer(developer));
    JsonNode done = awaitStatus(id, "succeeded");

    assertThat(byUser.statusCode()).isEqualTo(403);
    assertThat(byDeveloper.statusCode()).as(byDeveloper.body()).isEqualTo(200);
    assertThat(commit.invocations()).isEqualTo(1);
    assertThat(denied.statusCode()).as(denied.body()).isEqualTo(200);
    assertThat(done.at("/results/per_agent").findValuesAsText("agent"))
        .containsExactly("analysis", "commit", "deployment");
    assertThat(done.at("/results/per_agent/2/reason").asText()).contains("not on a Friday");
    HttpResponse<String> again =
        server.post(path, JSON, "{}", "Authorization", bearer(server.key(Role.admin)));
    assertThat(again.statusCode()).isEqualTo(404);
  }

  @Test
  void swarm_otherKeysRun_hiddenFromItButShownToAdmin() {
    scriptOneAnalysis();
    String id =
        json(trigger("{\"task\":\"What do we know?\",\"wait\":true}", user))
            .path("task_id")
            .asText();
    String other = server.key(Role.user);
    String admin = server.key(Role.admin);

    assertThat(server.get("/api/v1/swarm/" + id, "Authorization", bearer(other)).statusCode())
        .isEqualTo(404);
    assertThat(server.get("/api/v1/swarm/" + id, "Authorization", bearer(admin)).statusCode())
        .isEqualTo(200);
    assertThat(json(server.get("/api/v1/swarm", "Authorization", bearer(other))).path("swarms"))
        .isEmpty();
    assertThat(
            json(server.get("/api/v1/swarm?status=succeeded", "Authorization", bearer(user)))
                .path("swarms")
                .findValuesAsText("task_id"))
        .containsExactly(id);
    assertThat(
            json(server.get("/api/v1/swarm?status=running", "Authorization", bearer(admin)))
                .path("swarms"))
        .isEmpty();
    HttpResponse<String> cancel =
        server.post("/api/v1/swarm/" + id + "/cancel", JSON, "{}", "Authorization", bearer(user));
    assertThat(cancel.statusCode()).isEqualTo(409);
  }

  @Test
  void trigger_badInput_problemJsonNamingTheField() {
    Map<String, String> cases =
        Map.of(
            "{}", "task",
            "{\"task\":\"  \"}", "task",
            "{\"task\":\"x y\",\"pattern\":\"chaos\"}", "pattern",
            "{\"task\":\"x y\",\"authorize\":[\"root\"]}", "authorize",
            "{\"task\":\"x y\",\"agents\":[\"nobody\"]}", "agents",
            "{\"task\":\"x y\",\"rounds\":0}", "rounds",
            "{\"task\":\"x y\",\"priority\":\"urgent\"}", "priority",
            "{\"task\":\"x y\",\"colour\":\"red\"}", "colour",
            "{\"task\":\"x y\",\"interval_ms\":-1}", "interval_ms",
            "{\"task\":\"Implement it\",\"pattern\":\"development\",\"authorize\":[\"write\"]}",
                "repository");
    cases.forEach(
        (body, field) -> {
          HttpResponse<String> r = trigger(body, user);
          assertThat(r.statusCode()).as(body + " → " + r.body()).isEqualTo(400);
          assertThat(r.headers().firstValue("Content-Type"))
              .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
          assertThat(r.body()).as(body).contains(field);
        });
    assertThat(server.get("/api/v1/swarm?status=bogus", "Authorization", bearer(user)).statusCode())
        .isEqualTo(400);
    assertThat(server.get("/api/v1/swarm/bad%20id", "Authorization", bearer(user)).statusCode())
        .isEqualTo(400);
    assertThat(server.get("/api/v1/swarm/swarm-none", "Authorization", bearer(user)).statusCode())
        .isEqualTo(404);
    assertThat(trigger("{\"task\":\"x y\"}", server.key(Role.readonly)).statusCode())
        .isEqualTo(403);
  }

  private void awaitStep(String id, String step) throws InterruptedException {
    Instant until = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(until)) {
      JsonNode r = json(server.get("/api/v1/swarm/" + id, "Authorization", bearer(user)));
      if (r.path("status").asText().equals("waiting_approval")
          && r.path("execution_timeline").findValuesAsText("step").contains(step)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("step " + step + " never waited");
  }

  private JsonNode awaitStatus(String id, String status) throws InterruptedException {
    Instant until = Instant.now().plusSeconds(30);
    JsonNode last = null;
    while (Instant.now().isBefore(until)) {
      last = json(server.get("/api/v1/swarm/" + id, "Authorization", bearer(user)));
      if (last.path("status").asText().equals(status)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("never " + status + ": " + last);
  }
}
