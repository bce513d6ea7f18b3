package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.mcp.NodePeers;
import ai.sophia.model.ScriptedOpenAiServer;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resumable streams at {@code /mcp}: the official TypeScript client's {@code ask_agent} call, whose
 * model takes seconds, loses its connection right after the stream's first bytes; the client
 * reconnects by itself with {@code Last-Event-ID} and still gets the answer, and the agent run is
 * not cut short.
 */
class McpResumptionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static final ScriptedOpenAiServer model = ScriptedOpenAiServer.start();
  private static TestServer server;
  private static String key;
  private static JsonNode call;

  @BeforeAll
  static void start() throws Exception {
    server =
        TestServer.withTools(
            dir,
            Map.of(
                "SOPHIA_MODELS_PROVIDERS_OPENAI_COMPATIBLE_BASE_URL",
                model.baseUrl(),
                "SOPHIA_MODELS_DEFAULT_CHAIN",
                "openai_compatible:test-model",
                // many quick requests in resume_manyRequests_forgetsTheKeysOldestStreams
                "SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND",
                "100000",
                "SOPHIA_SECURITY_RATE_LIMIT_BURST",
                "1000000"),
            "");
    model.slow(Duration.ofSeconds(3), "Checkpoints copy the log back.");
    key = server.key(Role.user);
    String target =
        JSON.writeValueAsString(
            Map.of("url", "http://127.0.0.1:" + server.port + "/mcp", "key", key));
    call =
        JSON.readTree(
            NodePeers.runScript(
                    "resume.mjs",
                    target,
                    "ask_agent",
                    "{\"agent\":\"analysis\",\"question\":\"what does a checkpoint do?\"}")
                .getFirst());
  }

  @AfterAll
  static void stop() {
    server.close();
    model.close();
  }

  @Test
  void droppedStream_clientResumes_getsTheAnswer() {
    assertThat(call.path("ok").asBoolean()).as(call.toString()).isTrue();
    JsonNode result = call.at("/result/structuredContent");
    assertThat(result.path("status").asText()).as(call.toString()).isEqualTo("succeeded");
    assertThat(result.path("answer").asText()).contains("Checkpoints copy the log back.");

    List<JsonNode> seen = new ArrayList<>();
    call.path("seen").forEach(seen::add);
    JsonNode cut = seen.stream().filter(s -> s.path("cut").asBoolean()).findFirst().orElseThrow();
    assertThat(cut.path("method").asText()).isEqualTo("POST");
    List<String> resumedFrom =
        seen.stream()
            .filter(s -> s.path("method").asText().equals("GET"))
            .map(s -> s.path("lastEventId").asText(""))
            .filter(id -> !id.isEmpty())
            .toList();
    // The priming event was all the client had: it resumes from it.
    String priming = call.path("tokens").get(0).asText();
    assertThat(priming).matches("[0-9a-f]{32}\\.0");
    assertThat(resumedFrom).contains(priming);
    assertThat(call.path("tokens").size()).as(call.toString()).isGreaterThan(1);
  }

  @Test
  void droppedStream_agentRun_isNotCutShort() {
    JsonNode runs = TestServer.json(server.get("/api/v1/runs", "Authorization", "Bearer " + key));
    assertThat(runs.at("/runs/0/status").asText()).as(runs.toString()).isEqualTo("succeeded");
  }

  @Test
  void resume_anotherKey_isNotFound() {
    HttpResponse<String> r = resume(server.key(Role.admin), call.path("tokens").get(0).asText());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    assertThat(TestServer.json(r).at("/error/message").asText()).contains("No stream to resume");
  }

  @Test
  void resume_afterTheResponse_hasNothingLeft() {
    JsonNode tokens = call.path("tokens");
    HttpResponse<String> r = resume(key, tokens.get(tokens.size() - 1).asText());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
  }

  @Test
  void resume_fromThePrimingEvent_replaysTheResponse() {
    HttpResponse<String> r = resume(key, call.path("tokens").get(0).asText());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    assertThat(r.body()).contains("Checkpoints copy the log back.").doesNotContain(".0\n");
  }

  @Test
  void resume_manyRequests_forgetsTheKeysOldestStreamsOnly() {
    String other = server.key(Role.user);
    HttpResponse<String> init =
        post(
            other,
            null,
            "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"many\",\"version\":\"1\"}}}");
    String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    post(other, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    // A key keeps 100 ended streams (ResumableStreams.MAX_ENDED), trimmed as it opens another.
    List<String> primings = new ArrayList<>();
    for (int i = 1; i <= 102; i++) {
      HttpResponse<String> ping =
          post(other, session, "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"ping\"}");
      assertThat(ping.body()).as(ping.body()).contains("\"result\"");
      primings.add(ping.body().lines().findFirst().orElseThrow().substring("id: ".length()));
    }

    assertThat(resume(other, session, primings.getFirst()).statusCode()).isEqualTo(404);
    assertThat(resume(other, session, primings.get(1)).statusCode()).isEqualTo(200);
    // The first key's call is still kept: another key's requests never push it out.
    assertThat(resume(key, call.path("sessionId").asText(), call.path("tokens").get(0).asText()))
        .extracting(HttpResponse::statusCode)
        .isEqualTo(200);
  }

  private static HttpResponse<String> post(String secret, String session, String body) {
    List<String> headers =
        new ArrayList<>(
            List.of("X-API-Key", secret, "Accept", "application/json, text/event-stream"));
    if (session != null) {
      headers.addAll(List.of("Mcp-Session-Id", session));
    }
    return server.post("/mcp", "application/json", body, headers.toArray(String[]::new));
  }

  /** A GET that resumes the call's stream in its session after {@code lastEventId}. */
  private static HttpResponse<String> resume(String secret, String lastEventId) {
    return resume(secret, call.path("sessionId").asText(), lastEventId);
  }

  private static HttpResponse<String> resume(String secret, String session, String lastEventId) {
    return server.get(
        "/mcp",
        "X-API-Key",
        secret,
        "Accept",
        "text/event-stream",
        "Mcp-Session-Id",
        session,
        "Last-Event-ID",
        lastEventId);
  }
}
