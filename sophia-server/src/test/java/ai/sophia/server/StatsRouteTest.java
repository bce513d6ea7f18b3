package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsRouteTest {
  @TempDir Path dir;

  @Test
  void stats_twoCalls_measuredValuesArePlausibleAndMove() {
    try (TestServer server = TestServer.start(dir)) {
      String key = TestServer.bearer(server.key(Role.readonly));
      JsonNode first = TestServer.json(server.get("/api/v1/system/stats", "Authorization", key));
      for (int i = 0; i < 5; i++) {
        server.get("/health");
      }
      burnCpu(300);
      HttpResponse<String> response = server.get("/api/v1/system/stats", "Authorization", key);
      JsonNode second = TestServer.json(response);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(second.get("version").asText()).matches("\\d+\\.\\d+\\.\\d+.*");
      assertThat(second.get("uptime").asDouble()).isGreaterThan(first.get("uptime").asDouble());
      assertThat(second.get("uptime_human").asText()).matches("(\\d+[dhm] )*\\d+s");
      assertThat(second.get("requests_total").asLong())
          .isGreaterThanOrEqualTo(first.get("requests_total").asLong() + 6);
      assertThat(second.get("request_rate").asDouble()).isGreaterThan(0);
      JsonNode memory = second.get("memory_usage");
      assertThat(memory.get("heap_used_bytes").asLong()).isPositive();
      assertThat(memory.get("heap_max_bytes").asLong())
          .isGreaterThanOrEqualTo(memory.get("heap_used_bytes").asLong());
      assertThat(memory.get("percent").asDouble()).isBetween(0.0, 100.0);
      if (memory.has("rss_bytes")) {
        assertThat(memory.get("rss_bytes").asLong()).isGreaterThan(1_000_000L);
      }
      JsonNode cpu = second.get("cpu_usage");
      assertThat(cpu.get("available_processors").asInt())
          .isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(cpu.get("process_percent").asDouble())
          .isGreaterThan(0.0)
          .isLessThanOrEqualTo(100.0);
      assertThat(second.get("active_agents").asInt()).isZero();
      assertThat(second.get("cache_hit_ratio").asDouble()).isBetween(0.0, 1.0);
      assertThat(Instant.parse(second.get("timestamp").asText()))
          .isAfterOrEqualTo(Instant.parse(first.get("timestamp").asText()));
    }
  }

  private static void burnCpu(long millis) {
    long until = System.nanoTime() + millis * 1_000_000;
    long x = 0;
    while (System.nanoTime() < until) {
      x += Long.bitCount(x) + 1;
    }
    assertThat(x).isPositive();
  }

  @Test
  void stats_cacheUsed_reportsTheRegistrysHitRatio() {
    try (TestServer server = TestServer.start(dir)) {
      var cache =
          server.caches.<String, String>create("pages", 10, java.time.Duration.ofMinutes(1));
      cache.put("a", "page");
      cache.getIfPresent("a");
      cache.getIfPresent("a");
      cache.getIfPresent("a");
      cache.getIfPresent("missing");
      String key = TestServer.bearer(server.key(Role.readonly));

      JsonNode stats = TestServer.json(server.get("/api/v1/system/stats", "Authorization", key));

      assertThat(stats.get("cache_hit_ratio").asDouble()).isEqualTo(0.75);
    }
  }
}
