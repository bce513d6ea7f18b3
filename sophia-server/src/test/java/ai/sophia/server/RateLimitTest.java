package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.health.HealthChecks;
import ai.sophia.security.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateLimitTest {
  private static final String STATS = "/api/v1/system/stats";
  @TempDir Path dir;

  @Test
  void request_afterBurst_429WithRetryAfterAndOtherKeysUnaffected() {
    Map<String, String> env =
        Map.of(
            "SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND", "0.2",
            "SOPHIA_SECURITY_RATE_LIMIT_BURST", "3");
    try (TestServer server =
        TestServer.start(dir, env, new RefusingResearcher(), HealthChecks.create())) {
      String busy = server.key(Role.user);
      String calm = server.key(Role.user);

      for (int i = 0; i < 3; i++) {
        HttpResponse<String> allowed = server.get(STATS, "X-API-Key", busy);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
        assertThat(allowed.headers().firstValue("X-RateLimit-Remaining"))
            .hasValue(Integer.toString(2 - i));
      }
      HttpResponse<String> limited = server.get(STATS, "X-API-Key", busy);

      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
      assertThat(retryAfter).isBetween(1L, 5L);
      assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
      assertThat(TestServer.json(limited).get("detail").asText()).contains("rate limit");
      assertThat(server.get(STATS, "X-API-Key", calm).statusCode()).isEqualTo(200);
      assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void request_manyAtOnceWithOneKey_burstAllowedAndEveryOther429WithRetryAfter() throws Exception {
    Map<String, String> env =
        Map.of(
            "SOPHIA_SECURITY_RATE_LIMIT_REQUESTS_PER_SECOND", "0.01",
            "SOPHIA_SECURITY_RATE_LIMIT_BURST", "20");
    try (TestServer server =
        TestServer.start(dir, env, new RefusingResearcher(), HealthChecks.create())) {
      String key = server.key(Role.user);
      List<HttpResponse<String>> responses = new CopyOnWriteArrayList<>();
      try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 400; i++) {
          clients.submit(() -> responses.add(server.get("/api/v1/agents", "X-API-Key", key)));
        }
      }

      assertThat(responses).hasSize(400);
      Map<Integer, Long> byStatus =
          responses.stream()
              .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
      // 0.01 tokens a second: the test cannot last long enough for a 21st token.
      assertThat(byStatus).containsOnlyKeys(200, 429).containsEntry(200, 20L);
      assertThat(responses)
          .filteredOn(r -> r.statusCode() == 429)
          .allSatisfy(
              r -> {
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                assertThat(TestServer.json(r).get("status").asInt()).isEqualTo(429);
              });
    }
  }
}
