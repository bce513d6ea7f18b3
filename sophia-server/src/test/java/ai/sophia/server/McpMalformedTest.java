package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed JSON-RPC at {@code /mcp} is answered with a JSON-RPC error object and a 4xx status,
 * never a 5xx and never a serialized Java exception.
 */
class McpMalformedTest {
  private static final String ACCEPT = "application/json, text/event-stream";
  private static final String INITIALIZE =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
          + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
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

  private static HttpResponse<String> post(String body, String... session) {
    String[] headers =
        session.length == 0
            ? new String[] {"X-API-Key", key, "Accept", ACCEPT}
            : new String[] {"X-API-Key", key, "Accept", ACCEPT, "Mcp-Session-Id", session[0]};
    return server.post("/mcp", "application/json", body, headers);
  }

  private static void assertJsonRpcError(HttpResponse<String> r, int code) {
    assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode body = TestServer.json(r);
    assertThat(body.path("jsonrpc").asText()).as(r.body()).isEqualTo("2.0");
    assertThat(body.has("id")).isTrue();
    assertThat(body.at("/error/code").asInt()).as(r.body()).isEqualTo(code);
    assertThat(body.at("/error/message").asText()).isNotBlank();
    TestServer.assertNoInternals(r, dir);
    assertThat(r.body()).doesNotContain("io.modelcontextprotocol", ".java:");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "`{`                                          | -32700",
        "`{\"jsonrpc\":\"2.0\",`                      | -32700",
        "`not json`                                   | -32700",
        "`null`                                       | -32600",
        "`[]`                                         | -32600",
        "`[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]` | -32600",
        "`42`                                         | -32600",
        "`\"x\"`                                      | -32600",
        "`{}`                                         | -32600",
        "`{\"jsonrpc\":\"2.0\",\"id\":1}`             | -32600",
        "`{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}` | -32600",
        "`{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}` | -32600",
        "`{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}` | -32600",
        "`{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":[]}}` | -32602",
        "`{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}` | -32602",
        "`{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"research\",\"arguments\":\"\"}}` | -32602",
      })
  void post_malformedMessage_jsonRpcError(String body, int code) {
    assertJsonRpcError(post(body), code);
  }

  @Test
  void post_unknownSession_404JsonRpcError() {
    HttpResponse<String> r =
        post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}", "no-such-session");

    assertThat(r.statusCode()).isEqualTo(404);
    assertJsonRpcError(r, -32001);
  }

  @Test
  void post_noSessionAfterInitialize_400JsonRpcError() {
    HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertJsonRpcError(r, -32600);
  }

  @Test
  void delete_unknownSession_404JsonRpcError() {
    HttpResponse<String> r =
        server.send(
            "DELETE", "/mcp", "X-API-Key", key, "Accept", ACCEPT, "Mcp-Session-Id", "no-such");

    assertThat(r.statusCode()).isEqualTo(404);
    assertJsonRpcError(r, -32001);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({"PUT", "PATCH"})
  void otherMethods_405JsonRpcErrorWithAllow(String method) {
    HttpResponse<String> r =
        server.send(method, "/mcp", "X-API-Key", key, "Accept", ACCEPT, "Mcp-Session-Id", "no");

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, POST, DELETE");
    assertJsonRpcError(r, -32600);
  }

  @Test
  void post_initialize_stillServed() {
    HttpResponse<String> r = post(INITIALIZE);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Mcp-Session-Id")).isPresent();
    assertThat(r.body()).contains("\"protocolVersion\"");
  }
}
