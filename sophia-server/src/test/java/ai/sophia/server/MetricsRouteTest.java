package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsRouteTest {
  @TempDir Path dir;

  @Test
  void metrics_withKey_prometheusTextWithJvmHttpAndSophiaMetrics() {
    try (TestServer server = TestServer.start(dir)) {
      String key = TestServer.bearer(server.key(Role.readonly));
      server.get("/health");
      server.get("/api/v1/research/some-id-that-is-not-there", "Authorization", "Bearer wrong");

      HttpResponse<String> response = server.get("/metrics", "Authorization", key);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("text/plain")
          .contains("version=0.0.4");
      String text = response.body();
      assertThat(text)
          .contains("# TYPE jvm_memory_used_bytes gauge")
          .contains("jvm_threads_live_threads")
          .contains("process_uptime_seconds")
          .contains("sophia_cache_hit_ratio")
          .contains("sophia_research_in_flight")
          .contains("sophia_research_requests_total{outcome=\"ok\"}")
          .containsPattern(
              "http_server_requests_seconds_count\\{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/health\"} 1")
          .containsPattern(
              "http_server_requests_seconds_count\\{method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"401\",uri=\"/api/v1/research/\\{id}\"} 1");
    }
  }

  @Test
  void metrics_withoutKey_401() {
    try (TestServer server = TestServer.start(dir)) {
      assertThat(server.get("/metrics").statusCode()).isEqualTo(401);
    }
  }
}
