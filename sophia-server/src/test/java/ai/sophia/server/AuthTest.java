package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.IssuedKey;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthTest {
  private static final String STATS = "/api/v1/system/stats";
  @TempDir static Path dir;
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(dir);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void assertUnauthorized(HttpResponse<String> response, String detail) {
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"sophia\"");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = TestServer.json(response);
    assertThat(problem.get("status").asInt()).isEqualTo(401);
    assertThat(problem.get("detail").asText()).contains(detail);
  }

  @Test
  void request_noKey_401WithBearerChallenge() {
    assertUnauthorized(server.get(STATS), "an API key is required");
  }

  @Test
  void request_unknownKey_401() {
    assertUnauthorized(
        server.get(STATS, "Authorization", "Bearer sk-sophia-not-a-real-key"), "not valid");
  }

  @Test
  void request_basicScheme_401NamingBearer() {
    assertUnauthorized(server.get(STATS, "Authorization", "Basic dXNlcjpwYXNz"), "Bearer");
  }

  @Test
  void request_revokedKey_401() {
    IssuedKey issued = server.keys.create("soon-revoked", Role.user);
    server.keys.revoke(issued.key().id());

    assertUnauthorized(server.get(STATS, "X-API-Key", issued.secret()), "revoked");
  }

  @Test
  void request_bearerOrXApiKey_bothAuthenticate() {
    String secret = server.key(Role.user);

    assertThat(server.get(STATS, "Authorization", "Bearer " + secret).statusCode()).isEqualTo(200);
    assertThat(server.get(STATS, "authorization", "bearer " + secret).statusCode()).isEqualTo(200);
    assertThat(server.get(STATS, "X-API-Key", secret).statusCode()).isEqualTo(200);
  }

  @Test
  void chat_readonlyKey_403BeforeTheBodyIsRead() {
    String secret = server.key(Role.readonly);

    HttpResponse<String> response =
        server.post("/api/v1/chat", "application/json", "{\"query\":\"x\"}", "X-API-Key", secret);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(TestServer.json(response).get("detail").asText())
        .contains("needs role user")
        .contains("readonly");
  }

  @Test
  void health_noKey_isPublic() {
    assertThat(server.get("/health").statusCode()).isEqualTo(200);
  }
}
