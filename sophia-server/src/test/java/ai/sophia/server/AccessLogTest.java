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
}
