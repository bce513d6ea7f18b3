package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthChecks;
import ai.sophia.health.HealthStatus;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthRouteTest {
  @TempDir Path dir;

  private static HealthCheck sleeping(String name, boolean critical) {
    return new HealthCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Duration timeout() {
        return Duration.ofMillis(300);
      }

      @Override
      public boolean critical() {
        return critical;
      }

      @Override
      public HealthStatus check() throws InterruptedException {
        Thread.sleep(10_000);
        return HealthStatus.up("too late");
      }
    };
  }

  private static HealthCheck fine(String name) {
    return HealthCheck.of(
        name, Duration.ofSeconds(1), () -> HealthStatus.up("fine", Map.of("answers", 42)));
  }

  @Test
  void health_allUp_200WithEachComponentAndNoKeyNeeded() {
    HealthChecks checks = HealthChecks.create().register(fine("store")).register(fine("index"));
    try (TestServer server = TestServer.start(dir, Map.of(), new RefusingResearcher(), checks)) {
      HttpResponse<String> response = server.get("/health");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
      JsonNode body = TestServer.json(response);
      assertThat(body.get("status").asText()).isEqualTo("up");
      assertThat(body.get("timestamp").asText()).isNotBlank();
      assertThat(body.get("components")).hasSize(2);
      JsonNode store = body.get("components").get(0);
      assertThat(store.get("name").asText()).isEqualTo("store");
      assertThat(store.get("status").asText()).isEqualTo("up");
      assertThat(store.get("detail").asText()).isEqualTo("fine");
      assertThat(store.get("latency_ms").isIntegralNumber()).isTrue();
      assertThat(store.get("facts").get("answers").asInt()).isEqualTo(42);
    }
  }

  @Test
  void ready_startingThenReady_503Until200_andLiveAlways200() {
    HealthChecks checks = HealthChecks.create().register(fine("store"));
    try (TestServer server = TestServer.start(dir, Map.of(), new RefusingResearcher(), checks)) {
      HttpResponse<String> starting = server.get("/health/ready");
      assertThat(starting.statusCode()).isEqualTo(503);
      assertThat(TestServer.json(starting).path("phase").asText()).isEqualTo("starting");
      assertThat(server.get("/health/live").statusCode()).isEqualTo(200);

      server.server.ready();

      HttpResponse<String> ready = server.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(TestServer.json(ready).path("status").asText()).isEqualTo("ready");
    }
  }

  @Test
  void ready_criticalComponentDown_503WhileLive200() {
    HealthChecks checks =
        HealthChecks.create()
            .register(fine("index"))
            .register(
                HealthCheck.of(
                    "store", Duration.ofSeconds(1), () -> HealthStatus.down("disk gone")));
    try (TestServer server = TestServer.start(dir, Map.of(), new RefusingResearcher(), checks)) {
      server.server.ready();

      HttpResponse<String> ready = server.get("/health/ready");

      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(TestServer.json(ready).path("reason").asText()).contains("required component");
      assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void health_criticalCheckHangs_503DownWithinItsTimeout() {
    HealthChecks checks =
        HealthChecks.create().register(fine("index")).register(sleeping("store", true));
    try (TestServer server = TestServer.start(dir, Map.of(), new RefusingResearcher(), checks)) {
      long started = System.nanoTime();
      HttpResponse<String> response = server.get("/health");
      long tookMs = (System.nanoTime() - started) / 1_000_000;

      assertThat(tookMs).isLessThan(3_000);
      assertThat(response.statusCode()).isEqualTo(503);
      JsonNode body = TestServer.json(response);
      assertThat(body.get("status").asText()).isEqualTo("down");
      JsonNode store = body.get("components").get(1);
      assertThat(store.get("status").asText()).isEqualTo("down");
      assertThat(store.get("detail").asText()).contains("300 ms");
      assertThat(store.get("latency_ms").asLong()).isBetween(250L, 3_000L);
    }
  }

  @Test
  void health_optionalCheckHangs_200Degraded() {
    HealthChecks checks =
        HealthChecks.create().register(fine("store")).register(sleeping("search.brave", false));
    try (TestServer server = TestServer.start(dir, Map.of(), new RefusingResearcher(), checks)) {
      HttpResponse<String> response = server.get("/health");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(TestServer.json(response).get("status").asText()).isEqualTo("degraded");
    }
  }

  @Test
  void intelligenceHealth_storeDown_503WithOnlyAgentsAndMemory() {
    HealthChecks checks =
        HealthChecks.create()
            .register(sleeping("search.brave", false))
            .register(fine("agent.research"))
            .register(sleeping("store", true))
            .register(fine("index"));
    try (TestServer server = TestServer.start(dir, Map.of(), new RefusingResearcher(), checks)) {
      String key = TestServer.bearer(server.key(Role.readonly));
      HttpResponse<String> response =
          server.get("/api/v1/intelligence/health", "Authorization", key);

      assertThat(response.statusCode()).isEqualTo(503);
      JsonNode body = TestServer.json(response);
      assertThat(body.get("status").asText()).isEqualTo("down");
      assertThat(body.get("components").findValuesAsText("name"))
          .containsExactly("agent.research", "store", "index");
      assertThat(server.get("/api/v1/intelligence/health").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void intelligenceHealth_onlyAnOptionalCheckOutsideDown_200Up() {
    HealthChecks checks =
        HealthChecks.create().register(fine("store")).register(sleeping("search.brave", false));
    try (TestServer server = TestServer.start(dir, Map.of(), new RefusingResearcher(), checks)) {
      String key = TestServer.bearer(server.key(Role.readonly));
      HttpResponse<String> response =
          server.get("/api/v1/intelligence/health", "Authorization", key);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(TestServer.json(response).get("status").asText()).isEqualTo("up");
    }
  }
}
