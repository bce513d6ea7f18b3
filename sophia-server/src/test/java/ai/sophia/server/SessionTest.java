package ai.sophia.server;

import static ai.sophia.server.TestServer.assertNoInternals;
import static ai.sophia.server.TestServer.bearer;
import static ai.sophia.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.Role;
import ai.sophia.security.TotpFactors;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's sign-in, its CSRF rule, the keys API and the dashboard's own files, over real
 * HTTP against a real server.
 */
class SessionTest {
  private static final String JSON = "application/json";
  private static final Pattern COOKIE = Pattern.compile("sophia_session=([A-Za-z0-9_-]+)");

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

  /** Signs in with {@code secret}; returns {cookie header, csrf token}. */
  private String[] signIn(String secret) {
    HttpResponse<String> r =
        server.post("/api/v1/session", JSON, "{\"api_key\":\"" + secret + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    Matcher m = COOKIE.matcher(r.headers().firstValue("Set-Cookie").orElseThrow());
    assertThat(m.find()).isTrue();
    return new String[] {"sophia_session=" + m.group(1), json(r).get("csrf_token").asText()};
  }

  @Test
  void signIn_validKey_setsHttpOnlyStrictCookieAndAnswersWhoWithCsrf() {
    HttpResponse<String> r =
        server.post("/api/v1/session", JSON, "{\"api_key\":\"" + admin + "\"}");

    assertThat(r.statusCode()).isEqualTo(201);
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie)
        .startsWith("sophia_session=")
        .contains("; Path=/", "; HttpOnly", "; SameSite=Strict")
        .doesNotContain("Secure")
        .doesNotContain(admin);
    JsonNode body = json(r);
    assertThat(body.get("role").asText()).isEqualTo("admin");
    assertThat(body.get("name").asText()).isEqualTo("test-admin");
    assertThat(body.get("csrf_token").asText()).hasSizeGreaterThan(40);
    assertThat(body.get("expires_at").asText()).isNotEmpty();
    assertThat(r.body()).doesNotContain(admin);
  }

  @Test
  void signIn_wrongOrMissingKey_problemNamesIt() {
    HttpResponse<String> wrong =
        server.post("/api/v1/session", JSON, "{\"api_key\":\"sk-sophia-nope\"}");
    HttpResponse<String> missing = server.post("/api/v1/session", JSON, "{}");
    HttpResponse<String> unknownField =
        server.post("/api/v1/session", JSON, "{\"api_key\":\"x\",\"remember\":true}");

    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(json(missing).get("field").asText()).isEqualTo("api_key");
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertNoInternals(wrong, dir);
  }

  @Test
  void cookie_readsWithoutCsrfButChangesNeedIt() {
    String[] session = signIn(admin);
    String body = "{\"name\":\"ci\",\"role\":\"readonly\"}";

    HttpResponse<String> read = server.get("/api/v1/session", "Cookie", session[0]);
    HttpResponse<String> noToken = server.post("/api/v1/keys", JSON, body, "Cookie", session[0]);
    HttpResponse<String> wrongToken =
        server.post("/api/v1/keys", JSON, body, "Cookie", session[0], "X-CSRF-Token", "forged");
    HttpResponse<String> withToken =
        server.post("/api/v1/keys", JSON, body, "Cookie", session[0], "X-CSRF-Token", session[1]);

    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(json(read).get("csrf_token").asText()).isEqualTo(session[1]);
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(json(noToken).get("detail").asText()).contains("X-CSRF-Token");
    assertThat(wrongToken.statusCode()).isEqualTo(403);
    assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(201);
  }

  @Test
  void signOut_endsTheSession() {
    String[] session = signIn(admin);

    HttpResponse<String> out =
        server.send("DELETE", "/api/v1/session", "Cookie", session[0], "X-CSRF-Token", session[1]);

    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(out.headers().firstValue("Set-Cookie").orElse("")).contains("Max-Age=0");
    HttpResponse<String> after = server.get("/api/v1/session", "Cookie", session[0]);
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(json(after).get("detail").asText()).contains("sign in again");
  }

  @Test
  void session_roleStillDecides() {
    String[] readonly = signIn(server.key(Role.readonly));

    HttpResponse<String> keys = server.get("/api/v1/keys", "Cookie", readonly[0]);
    HttpResponse<String> agents = server.get("/api/v1/agents", "Cookie", readonly[0]);

    assertThat(keys.statusCode()).isEqualTo(403);
    assertThat(agents.statusCode()).isEqualTo(200);
  }

  @Test
  void keys_createListRevoke_secretShownOnceAndRevocationEndsSessions() {
    HttpResponse<String> created =
        server.post(
            "/api/v1/keys",
            JSON,
            "{\"name\":\"dashboard dev\",\"role\":\"developer\"}",
            "Authorization",
            bearer(admin));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode key = json(created);
    String secret = key.get("secret").asText();
    assertThat(secret).startsWith("sk-sophia-");
    String[] session = signIn(secret);

    HttpResponse<String> list = server.get("/api/v1/keys", "Authorization", bearer(admin));
    assertThat(list.body()).doesNotContain(secret).contains("dashboard dev");
    HttpResponse<String> revoked =
        server.send(
            "DELETE", "/api/v1/keys/" + key.get("id").asText(), "Authorization", bearer(admin));

    assertThat(revoked.statusCode()).isEqualTo(204);
    assertThat(server.get("/api/v1/session", "Cookie", session[0]).statusCode()).isEqualTo(401);
    assertThat(
            server
                .send(
                    "DELETE",
                    "/api/v1/keys/" + key.get("id").asText(),
                    "Authorization",
                    bearer(admin))
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void keys_rotate_newSecretWorksAtOnce_oldOneOnlyThroughItsGrace_badInputRefused()
      throws Exception {
    JsonNode key =
        json(
            server.post(
                "/api/v1/keys",
                JSON,
                "{\"name\":\"ci\",\"role\":\"user\",\"expires_in_days\":30}",
                "Authorization",
                bearer(admin)));
    String old = key.get("secret").asText();
    assertThat(key.get("expires_at").asText()).startsWith("20");
    String path = "/api/v1/keys/" + key.get("id").asText() + "/rotate";

    HttpResponse<String> rotated =
        server.post(path, JSON, "{\"grace_seconds\":1}", "Authorization", bearer(admin));
    assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
    JsonNode next = json(rotated);
    assertThat(next.get("name").asText()).isEqualTo("ci");
    assertThat(next.get("id").asText()).isNotEqualTo(key.get("id").asText());
    assertThat(server.get("/api/v1/agents", "Authorization", bearer(old)).statusCode())
        .isEqualTo(200);
    String fresh = next.get("secret").asText();
    assertThat(server.get("/api/v1/agents", "Authorization", bearer(fresh)).statusCode())
        .isEqualTo(200);

    Thread.sleep(1_200); // past the grace: the cached lookup must not outlive the expiry
    assertThat(server.get("/api/v1/agents", "Authorization", bearer(old)).statusCode())
        .isEqualTo(401);
    assertThat(server.get("/api/v1/agents", "Authorization", bearer(fresh)).statusCode())
        .isEqualTo(200);

    HttpResponse<String> again = server.post(path, JSON, "{}", "Authorization", bearer(admin));
    assertThat(again.statusCode()).isEqualTo(404);
    HttpResponse<String> badGrace =
        server.post(
            "/api/v1/keys/" + next.get("id").asText() + "/rotate",
            JSON,
            "{\"grace_seconds\":-5}",
            "Authorization",
            bearer(admin));
    assertThat(badGrace.statusCode()).isEqualTo(400);
    assertThat(json(badGrace).get("field").asText()).isEqualTo("grace_seconds");
    HttpResponse<String> badDays =
        server.post(
            "/api/v1/keys",
            JSON,
            "{\"name\":\"x\",\"expires_in_days\":0}",
            "Authorization",
            bearer(admin));
    assertThat(badDays.statusCode()).isEqualTo(400);
    assertThat(json(badDays).get("field").asText()).isEqualTo("expires_in_days");
  }

  @Test
  void secondFactor_enrolledAndConfirmed_signInNeedsAFreshCode_removedByAnAdmin() {
    String ops = server.key(Role.admin);
    HttpResponse<String> enrolled =
        server.post("/api/v1/session/totp", JSON, "", "Authorization", bearer(ops));
    assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(201);
    String secret = json(enrolled).get("secret").asText();
    assertThat(json(enrolled).get("otpauth_uri").asText()).startsWith("otpauth://totp/");
    // Not in force until confirmed: the key alone still signs in.
    assertThat(signInWith(ops, null).statusCode()).isEqualTo(201);

    HttpResponse<String> wrong =
        server.post(
            "/api/v1/session/totp/confirm",
            JSON,
            "{\"code\":\"" + otherThan(TotpFactors.code(secret, Instant.now())) + "\"}",
            "Authorization",
            bearer(ops));
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(json(wrong).get("field").asText()).isEqualTo("code");
    HttpResponse<String> confirmed =
        server.post(
            "/api/v1/session/totp/confirm",
            JSON,
            "{\"code\":\"" + TotpFactors.code(secret, Instant.now()) + "\"}",
            "Authorization",
            bearer(ops));
    assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(204);

    HttpResponse<String> keyAlone = signInWith(ops, null);
    assertThat(keyAlone.statusCode()).isEqualTo(401);
    assertThat(json(keyAlone).get("detail").asText()).contains("needs a one-time code");
    // The code that confirmed is used: the next one (30 s on) is needed, so sign in one step early.
    String next = TotpFactors.code(secret, Instant.now().plusSeconds(30));
    HttpResponse<String> withCode = signInWith(ops, next);
    assertThat(withCode.statusCode()).as(withCode.body()).isEqualTo(201);
    assertThat(json(withCode).get("second_factor").asBoolean()).isTrue();
    HttpResponse<String> replayed = signInWith(ops, next);
    assertThat(replayed.statusCode()).isEqualTo(401);
    assertThat(json(replayed).get("detail").asText()).contains("wrong, or was used already");
    assertThat(server.get("/api/v1/agents", "Authorization", bearer(ops)).statusCode())
        .as("API calls with the key need no code")
        .isEqualTo(200);

    String id = json(withCode).get("key_id").asText();
    assertThat(
            server
                .send("DELETE", "/api/v1/keys/" + id + "/totp", "Authorization", bearer(admin))
                .statusCode())
        .isEqualTo(204);
    assertThat(signInWith(ops, null).statusCode()).isEqualTo(201);
    assertThat(
            server
                .send("DELETE", "/api/v1/keys/" + id + "/totp", "Authorization", bearer(admin))
                .statusCode())
        .isEqualTo(404);
  }

  private HttpResponse<String> signInWith(String key, String code) {
    String body =
        "{\"api_key\":\"" + key + "\"" + (code == null ? "" : ",\"totp\":\"" + code + "\"") + "}";
    return server.post("/api/v1/session", JSON, body);
  }

  private static String otherThan(String code) {
    return code.equals("000000") ? "111111" : "000000";
  }

  @Test
  void keys_badInputAndLastAdmin_areRefusedByName() {
    HttpResponse<String> badRole =
        server.post(
            "/api/v1/keys",
            JSON,
            "{\"name\":\"x\",\"role\":\"root\"}",
            "Authorization",
            bearer(admin));
    HttpResponse<String> badName =
        server.post(
            "/api/v1/keys", JSON, "{\"name\":\"<script>\"}", "Authorization", bearer(admin));
    String adminId =
        json(server.get("/api/v1/keys", "Authorization", bearer(admin)))
            .get("keys")
            .get(0)
            .get("id")
            .asText();
    HttpResponse<String> lastAdmin =
        server.send("DELETE", "/api/v1/keys/" + adminId, "Authorization", bearer(admin));

    assertThat(badRole.statusCode()).isEqualTo(400);
    assertThat(json(badRole).get("field").asText()).isEqualTo("role");
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(json(badName).get("field").asText()).isEqualTo("name");
    assertThat(lastAdmin.statusCode()).isEqualTo(409);
    assertThat(json(lastAdmin).get("detail").asText()).contains("last active admin key");
  }

  @Test
  void dashboard_servedWithStrictHeadersAndRevalidation() {
    HttpResponse<String> page = server.get("/");
    HttpResponse<String> script = server.get("/ui/app.js");
    HttpResponse<String> again =
        server.get(
            "/ui/app.js", "If-None-Match", script.headers().firstValue("ETag").orElseThrow());
    HttpResponse<String> escape = server.get("/ui/..%2Fserver%2Fversion.properties");
    HttpResponse<String> missing = server.get("/ui/nothing.js");
    HttpResponse<String> head = server.send("HEAD", "/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'")
        .doesNotContain("unsafe-inline");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.body())
        .contains("/ui/app.js")
        .doesNotContain("<script>")
        .doesNotContain("style=");
    assertThat(script.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/javascript");
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(escape.statusCode()).isEqualTo(404);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
  }

  @Test
  void codeChanges_listsRecordedChanges_andRefusesBadLimit() {
    HttpResponse<String> list =
        server.get("/api/v1/code/changes", "Authorization", bearer(server.key(Role.readonly)));
    HttpResponse<String> bad =
        server.get("/api/v1/code/changes?limit=0", "Authorization", bearer(admin));

    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(json(list).get("changes").isArray()).isTrue();
    assertThat(bad.statusCode()).isEqualTo(400);
  }
}
