package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Malformed JSON-RPC at {@code /mcp} is answered with a JSON-RPC error object and a 4xx status,
 * never a 5xx and never a serialized Java exception, and logs no ERROR line.
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

  /** Messages Jackson 2 reads but the SDK's Jackson 3 does not, which it logged as an ERROR. */
  static Stream<Arguments> unreadableBySdk() {
    return Stream.of(
        Arguments.of("nested 501 deep", nested(498), -32700),
        Arguments.of(
            "trailing content", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} {}", -32700),
        Arguments.of(
            "id beyond a long",
            "{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999999,\"method\":\"ping\"}",
            -32600),
        Arguments.of("error a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"boom\"}", -32600),
        Arguments.of("error without code", "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{}}", -32600),
        Arguments.of(
            "error message an object",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1,\"message\":{}}}",
            -32600));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("unreadableBySdk")
  void post_unreadableBySdk_jsonRpcErrorAndNoErrorLogged(String what, String body, int code) {
    ListAppender<ILoggingEvent> lines = logged();
    try {
      assertJsonRpcError(post(body), code);
    } finally {
      root().detachAppender(lines);
    }
    assertThat(lines.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
  }

  @Test
  void post_nested500Deep_reachesTheSdkWhichReadsIt() {
    ListAppender<ILoggingEvent> lines = logged();
    HttpResponse<String> r;
    try {
      r = post(nested(497));
    } finally {
      root().detachAppender(lines);
    }
    // The SDK read it, and refused it for want of a session.
    assertThat(r.body()).doesNotContain("-32700");
    assertJsonRpcError(r, -32600);
    assertThat(lines.list).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR));
  }

  /** A tools/call whose message nests {@code arrays} + 3 levels deep. */
  private static String nested(int arrays) {
    return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
        + "\"research\",\"arguments\":{\"query\":"
        + "[".repeat(arrays)
        + "]".repeat(arrays)
        + "}}}";
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static ListAppender<ILoggingEvent> logged() {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    root().addAppender(lines);
    return lines;
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
