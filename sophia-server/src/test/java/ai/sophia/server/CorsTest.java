package ai.sophia.server;

import static ai.sophia.server.TestServer.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.health.HealthChecks;
import ai.sophia.security.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CORS: no origin may read the API from its pages unless {@code security.cors.allowed_origins}
 * names it, and no credentials ever; the security headers on every answer.
 */
class CorsTest {
  private static final String APP = "https://app.example";
  @TempDir Path dir;

  private static String allow(HttpResponse<String> r) {
    return r.headers().firstValue("Access-Control-Allow-Origin").orElse(null);
  }

  @Test
  void allowList_preflightAndAnswerForItsOrigins_noneForOthers_neverCredentials() {
    String yaml = "security:\n  cors:\n    allowed_origins: [\"" + APP + "\"]\n";
    try (TestServer server =
        TestServer.create(dir, Map.of(), yaml, new RefusingResearcher(), HealthChecks.create())) {
      String key = server.key(Role.readonly);
      HttpResponse<String> preflight =
          server.send(
              "OPTIONS",
              "/api/v1/agents",
              "Origin",
              APP,
              "Access-Control-Request-Method",
              "GET",
              "Access-Control-Request-Headers",
              "authorization");
      assertThat(preflight.statusCode()).isLessThan(300);
      assertThat(allow(preflight)).isEqualTo(APP);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

      HttpResponse<String> answer =
          server.get("/api/v1/agents", "Origin", APP, "Authorization", bearer(key));
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(allow(answer)).isEqualTo(APP);
      assertThat(answer.headers().firstValue("Access-Control-Expose-Headers").orElse(""))
          .containsIgnoringCase("X-Request-Id");

      HttpResponse<String> other =
          server.get(
              "/api/v1/agents", "Origin", "https://evil.example", "Authorization", bearer(key));
      assertThat(allow(other)).isNull();
    }
  }

  @Test
  void byDefault_noOriginAllowed_securityHeadersOnEveryAnswer() {
    try (TestServer server = TestServer.start(dir)) {
      String key = server.key(Role.readonly);
      HttpResponse<String> answer =
          server.get("/api/v1/agents", "Origin", APP, "Authorization", bearer(key));
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(allow(answer)).isNull();
      for (HttpResponse<String> r :
          List.of(
              answer,
              server.get("/health"),
              server.get("/no/such/page"),
              server.get("/api/v1/agents"),
              server.post("/mcp", "application/json", "{}"))) {
        assertThat(r.headers().firstValue("X-Content-Type-Options"))
            .as(r.uri().toString())
            .contains("nosniff");
        assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
      }
    }
  }
}
