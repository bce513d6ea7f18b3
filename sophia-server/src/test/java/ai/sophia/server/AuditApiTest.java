package ai.sophia.server;

import static ai.sophia.server.TestServer.bearer;
import static ai.sophia.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log over real HTTP: which requests it records, with who, what, where and the outcome;
 * admins only; the JSON-lines export; verification of the chain.
 */
class AuditApiTest {
  private static final String JSON = "application/json";

  @TempDir Path dir;
  private TestServer server;
  private String admin;

  @BeforeEach
  void start() {
    server = TestServer.start(dir);
    admin = server.key(Role.admin);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /**
   * The entries, newest first, once the server has recorded at least {@code atLeast} (the entry is
   * written as the request ends, just after its answer).
   */
  private List<JsonNode> entries(int atLeast) throws InterruptedException {
    for (int i = 0; ; i++) {
      HttpResponse<String> r = server.get("/api/v1/audit", "Authorization", bearer(admin));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      List<JsonNode> all = new ArrayList<>();
      json(r).get("entries").forEach(all::add);
      if (all.size() >= atLeast || i == 50) {
        return all;
      }
      Thread.sleep(20);
    }
  }

  @Test
  void changes_andRefusals_recordedWithWhoWhatWhereAndOutcome_readsNot() throws Exception {
    HttpResponse<String> created =
        server.post(
            "/api/v1/keys",
            JSON,
            "{\"name\":\"ci\",\"role\":\"user\"}",
            "Authorization",
            bearer(admin));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String user = json(created).get("secret").asText();
    String userId = json(created).get("id").asText();
    server.get("/api/v1/agents", "Authorization", bearer(admin));
    assertThat(
            server.get("/api/v1/agents", "Authorization", bearer("sk-sophia-wrong")).statusCode())
        .isEqualTo(401);
    assertThat(server.get("/api/v1/keys", "Authorization", bearer(user)).statusCode())
        .isEqualTo(403);
    assertThat(
            server
                .send("DELETE", "/api/v1/keys/" + userId, "Authorization", bearer(admin))
                .statusCode())
        .isEqualTo(204);

    List<JsonNode> entries = entries(4);
    // The admin's own reads of /api/v1/audit and the agents list are not changes: not recorded.
    assertThat(entries)
        .extracting(e -> e.get("action").asText())
        .containsExactly(
            "DELETE /api/v1/keys/{id}",
            "GET /api/v1/keys",
            "GET /api/v1/agents",
            "POST /api/v1/keys");
    JsonNode revoke = entries.get(0);
    assertThat(revoke.get("target").asText()).isEqualTo("/api/v1/keys/" + userId);
    assertThat(revoke.get("actor").get("name").asText()).isEqualTo("test-admin");
    assertThat(revoke.get("actor").get("role").asText()).isEqualTo("admin");
    assertThat(revoke.get("outcome").asText()).isEqualTo("succeeded");
    assertThat(revoke.get("source").asText()).isEqualTo("127.0.0.1");
    assertThat(revoke.get("request_id").asText()).isNotBlank();
    JsonNode forbidden = entries.get(1);
    assertThat(forbidden.get("actor").get("key_id").asText()).isEqualTo(userId);
    assertThat(forbidden.get("status").asInt()).isEqualTo(403);
    assertThat(forbidden.get("outcome").asText()).isEqualTo("denied");
    JsonNode unknown = entries.get(2);
    assertThat(unknown.get("actor").get("key_id").asText()).isEqualTo("-");
    assertThat(unknown.get("status").asInt()).isEqualTo(401);
    assertThat(entries.toString()).doesNotContain(user).doesNotContain(admin);
  }

  @Test
  void signIn_recordedAsTheKeysHolder_failedSignInAsNobody() throws Exception {
    server.post("/api/v1/session", JSON, "{\"api_key\":\"" + admin + "\"}");
    server.post("/api/v1/session", JSON, "{\"api_key\":\"sk-sophia-nope\"}");

    List<JsonNode> entries = entries(2);
    assertThat(entries.get(1).get("action").asText()).isEqualTo("POST /api/v1/session");
    assertThat(entries.get(1).get("actor").get("name").asText()).isEqualTo("test-admin");
    assertThat(entries.get(1).get("outcome").asText()).isEqualTo("succeeded");
    assertThat(entries.get(0).get("actor").get("key_id").asText()).isEqualTo("-");
    assertThat(entries.get(0).get("outcome").asText()).isEqualTo("denied");
  }

  @Test
  void export_jsonLinesOldestFirst_andVerify_intactThenBroken() throws Exception {
    for (int i = 0; i < 3; i++) {
      server.post(
          "/api/v1/keys", JSON, "{\"name\":\"k" + i + "\"}", "Authorization", bearer(admin));
    }
    entries(3);
    HttpResponse<String> export =
        server.get("/api/v1/audit/export", "Authorization", bearer(admin));
    assertThat(export.statusCode()).isEqualTo(200);
    assertThat(export.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/x-ndjson");
    String[] lines = export.body().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(line(lines[0]).get("seq").asLong()).isEqualTo(1);
    assertThat(line(lines[1]).get("prev_hash").asText())
        .isEqualTo(line(lines[0]).get("hash").asText());

    JsonNode intact = json(server.get("/api/v1/audit/verify", "Authorization", bearer(admin)));
    assertThat(intact.get("intact").asBoolean()).isTrue();
    assertThat(intact.get("entries").asLong()).isGreaterThanOrEqualTo(3);

    server
        .database
        .jdbi()
        .useHandle(
            h -> {
              h.execute("DROP TRIGGER audit_log_no_update");
              h.execute("UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 2");
            });
    JsonNode broken = json(server.get("/api/v1/audit/verify", "Authorization", bearer(admin)));
    assertThat(broken.get("intact").asBoolean()).isFalse();
    assertThat(broken.get("broken").get("seq").asLong()).isEqualTo(2);
  }

  @Test
  void nonAdmins_andBadParameters_refusedWithProblems() {
    String user = server.key(Role.user);
    for (String path : List.of("/api/v1/audit", "/api/v1/audit/export", "/api/v1/audit/verify")) {
      HttpResponse<String> r = server.get(path, "Authorization", bearer(user));
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/problem+json");
    }
    HttpResponse<String> bad = server.get("/api/v1/audit?limit=0", "Authorization", bearer(admin));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("limit");
    HttpResponse<String> unknown =
        server.get("/api/v1/audit?actor=x", "Authorization", bearer(admin));
    assertThat(unknown.statusCode()).isEqualTo(400);
  }

  private static JsonNode line(String line) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
