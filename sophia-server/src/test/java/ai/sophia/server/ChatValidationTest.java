package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way to get POST /api/v1/chat wrong is a 4xx problem naming the field; none is a 500. */
class ChatValidationTest {
  private static final String CHAT = "/api/v1/chat";
  private static final String JSON = "application/json";
  @TempDir static Path dir;
  private static TestServer server;
  private static String key;

  @BeforeAll
  static void start() {
    server = TestServer.start(dir);
    key = server.key(Role.user);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Stream<Arguments> invalidBodies() {
    return Stream.of(
        Arguments.of("{}", "query", "required"),
        Arguments.of("{\"query\":null}", "query", "required"),
        Arguments.of("{\"query\":\"\"}", "query", "empty"),
        Arguments.of("{\"query\":\"   \"}", "query", "empty"),
        Arguments.of("{\"query\":\"\\u200b\"}", "query", "has no searchable words"),
        Arguments.of("{\"query\":\"\\u0001\\u007f\"}", "query", "has no searchable words"),
        Arguments.of("{\"query\":\"\\ud800\"}", "query", "has no searchable words"),
        Arguments.of("{\"query\":\"" + "a".repeat(1001) + "\"}", "query", "1001"),
        Arguments.of("{\"query\":5}", "query", "must be a string"),
        Arguments.of("{\"query\":true}", "query", "must be a string"),
        Arguments.of("{\"query\":[\"x\"]}", "query", "must be a string"),
        Arguments.of("{\"query\":{\"text\":\"x\"}}", "query", "must be a string"),
        Arguments.of("{\"query\":\"x\",\"sources_limit\":0}", "sources_limit", "between 1 and 20"),
        Arguments.of("{\"query\":\"x\",\"sources_limit\":21}", "sources_limit", "between 1 and 20"),
        Arguments.of("{\"query\":\"x\",\"sources_limit\":-3}", "sources_limit", "between 1 and 20"),
        Arguments.of("{\"query\":\"x\",\"sources_limit\":\"x\"}", "sources_limit", "integer"),
        Arguments.of("{\"query\":\"x\",\"sources_limit\":\"5\"}", "sources_limit", "integer"),
        Arguments.of("{\"query\":\"x\",\"sources_limit\":2.5}", "sources_limit", "integer"),
        Arguments.of("{\"query\":\"x\",\"sources_limit\":true}", "sources_limit", "integer"),
        Arguments.of(
            "{\"query\":\"x\",\"sources_limit\":99999999999}", "sources_limit", "out of range"),
        Arguments.of(
            "{\"query\":\"x\",\"sources_limit\":1" + "0".repeat(40) + "}",
            "sources_limit",
            "out of range"),
        Arguments.of("{\"query\":\"x\",\"search_engine\":\"google\"}", "search_engine", "google"),
        Arguments.of("{\"query\":\"x\",\"search_engine\":7}", "search_engine", "must be a string"),
        Arguments.of("{\"query\":\"x\",\"mode\":\"deep\"}", "mode", "unknown field 'mode'"),
        Arguments.of("{\"query\":\"x\",\"query\":\"y\"}", "body", "Duplicate field 'query'"),
        Arguments.of("{\"query\":\"x\",", "body", "malformed JSON at line 1"),
        Arguments.of("{\"query\":\"x\"} {\"query\":\"y\"}", "body", "more data"),
        Arguments.of("[{\"query\":\"x\"}]", "body", "must be a JSON object"),
        Arguments.of("\"x\"", "body", "must be a JSON object"),
        Arguments.of("42", "body", "must be a JSON object"),
        Arguments.of("null", "body", "must be a JSON object"),
        Arguments.of("", "body", "empty"),
        Arguments.of("query=x", "body", "malformed JSON"));
  }

  @ParameterizedTest(name = "[{index}] {1}: {0}")
  @MethodSource("invalidBodies")
  void chat_invalidBody_400ProblemNamingTheField(String body, String field, String detail) {
    HttpResponse<String> response = server.post(CHAT, JSON, body, "X-API-Key", key);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = TestServer.json(response);
    assertThat(problem.get("type").asText()).isEqualTo("urn:sophia:problem:invalid-input");
    assertThat(problem.get("status").asInt()).isEqualTo(400);
    assertThat(problem.get("field").asText()).isEqualTo(field);
    assertThat(problem.get("detail").asText()).contains(detail);
    assertThat(problem.get("instance").asText()).isEqualTo(CHAT);
    assertThat(problem.get("request_id").asText())
        .isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
    TestServer.assertNoInternals(response, dir);
  }

  @Test
  void chat_bodyOverLimit_413() {
    String huge = "{\"query\":\"" + "a".repeat(70_000) + "\"}";

    HttpResponse<String> response = server.post(CHAT, JSON, huge, "X-API-Key", key);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(TestServer.json(response).get("detail").asText()).contains("65536 bytes");
  }

  @Test
  void chat_textPlain_415() {
    HttpResponse<String> response =
        server.post(CHAT, "text/plain", "{\"query\":\"x\"}", "X-API-Key", key);

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(TestServer.json(response).get("detail").asText()).contains("application/json");
  }

  @Test
  void chat_noContentType_415() {
    assertThat(server.post(CHAT, null, "{\"query\":\"x\"}", "X-API-Key", key).statusCode())
        .isEqualTo(415);
  }

  @Test
  void chat_latin1Charset_415() {
    HttpResponse<String> response =
        server.post(
            CHAT, "application/json; charset=ISO-8859-1", "{\"query\":\"x\"}", "X-API-Key", key);

    assertThat(response.statusCode()).isEqualTo(415);
  }

  @Test
  void chat_wrongMethod_405WithAllow() {
    HttpResponse<String> response = server.send("DELETE", CHAT, "X-API-Key", key);

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    assertThat(TestServer.json(response).get("title").asText()).isEqualTo("Method Not Allowed");
  }

  @Test
  void unknownRoute_404Problem() {
    HttpResponse<String> response = server.get("/api/v1/nothing-here", "X-API-Key", key);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = TestServer.json(response);
    assertThat(problem.get("status").asInt()).isEqualTo(404);
    assertThat(problem.get("detail").asText()).contains("/api/v1/nothing-here");
  }

  @Test
  void request_saneRequestId_echoedInHeaderAndProblem() {
    HttpResponse<String> response =
        server.post(CHAT, JSON, "{}", "X-API-Key", key, "X-Request-Id", "trace-42.a_b");

    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("trace-42.a_b");
    assertThat(TestServer.json(response).get("request_id").asText()).isEqualTo("trace-42.a_b");
  }

  @Test
  void request_insaneRequestId_replacedByAGeneratedOne() {
    String forged = "x\",\"level\":\"ERROR";
    HttpResponse<String> tooLong = server.get("/health", "X-Request-Id", "a".repeat(65));
    HttpResponse<String> odd = server.get("/health", "X-Request-Id", forged);

    assertThat(tooLong.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f-]{36}");
    assertThat(odd.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f-]{36}");
  }
}
