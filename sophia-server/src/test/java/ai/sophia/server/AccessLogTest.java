package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.IssuedKey;
import ai.sophia.security.Role;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The access log, read from logback itself: one line per request, its id, never a secret. */
class AccessLogTest {
  @TempDir Path dir;

  @Test
  void accessLog_authenticatedRequest_oneLineWithRequestIdAndKeyIdButNoSecret() {
    Logger access = (Logger) LoggerFactory.getLogger("ai.sophia.access");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    access.addAppender(lines);
    try (TestServer server = TestServer.start(dir)) {
      IssuedKey key = server.keys.create("logged", Role.user);

      server.get(
          "/api/v1/system/stats",
          "Authorization",
          "Bearer " + key.secret(),
          "X-Request-Id",
          "req-77");

      // The line is written once the response is on its way, so the client may be first.
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (lines.list.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(lines.list).hasSize(1);
      ILoggingEvent line = lines.list.getFirst();
      Map<String, Object> fields =
          line.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
      assertThat(line.getMDCPropertyMap()).containsEntry("request_id", "req-77");
      assertThat(fields)
          .containsEntry("method", "GET")
          .containsEntry("path", "/api/v1/system/stats")
          .containsEntry("status", 200)
          .containsEntry("api_key_id", key.key().id())
          .containsKey("duration_ms");
      assertThat(line.getFormattedMessage() + fields + line.getMDCPropertyMap())
          .doesNotContain(key.secret())
          .doesNotContain("Bearer");
    } finally {
      access.detachAppender(lines);
    }
  }

  @Test
  void accessLog_mcpRequests_loggedAndTimedUnderTheMcpRoute() {
    Logger access = (Logger) LoggerFactory.getLogger("ai.sophia.access");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    access.addAppender(lines);
    try (TestServer server = TestServer.start(dir)) {
      IssuedKey key = server.keys.create("mcp", Role.user);
      String initialize =
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
              + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
              + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

      int refused = server.post("/mcp", "application/json", initialize).statusCode();
      int served =
          server
              .post(
                  "/mcp",
                  "application/json",
                  initialize,
                  "Accept",
                  "application/json, text/event-stream",
                  "Authorization",
                  "Bearer " + key.secret())
              .statusCode();

      assertThat(refused).isEqualTo(401);
      assertThat(served).isEqualTo(200);
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (lines.list.size() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(lines.list).hasSize(2);
      Map<String, Object> first = fields(lines.list.get(0));
      Map<String, Object> second = fields(lines.list.get(1));
      assertThat(first).containsEntry("path", "/mcp").containsEntry("status", 401);
      assertThat(second)
          .containsEntry("path", "/mcp")
          .containsEntry("status", 200)
          .containsEntry("api_key_id", key.key().id());
      String metrics =
          server.get("/metrics", "Authorization", "Bearer " + server.key(Role.admin)).body();
      assertThat(metrics).containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/mcp\"");
    } finally {
      access.detachAppender(lines);
    }
  }

  private static Map<String, Object> fields(ILoggingEvent line) {
    return line.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
  }
}
