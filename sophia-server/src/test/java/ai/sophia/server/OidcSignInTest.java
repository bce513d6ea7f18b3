package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.security.AuditEntry;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's sign-in with an OpenID issuer ({@link LoopbackIssuer}, speaking the real wire
 * format: it checks the client secret and the PKCE verifier, spends each code once and signs ID
 * tokens with the nonce), driven step by step as a browser would, no redirect followed on its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcSignInTest {
  private static final String AUDIENCE = "https://sophia.test";
  private static final String CLIENT_ID = LoopbackIssuer.CLIENT_ID;
  private static final String REDIRECT = "https://sophia.test/dashboard/oidc/callback";
  private static final String CALLBACK_ACTION = "GET /dashboard/oidc/callback";
  private static final Pattern SESSION = Pattern.compile("sophia_session=([A-Za-z0-9_-]+)");
  private static final Pattern STATE_COOKIE = Pattern.compile("sophia_oidc=([^;]+)");

  @TempDir static Path dir;
  private LoopbackIssuer issuerServer;
  private String issuer;
  private TestServer server;

  @BeforeAll
  void start() {
    issuerServer = LoopbackIssuer.start(REDIRECT);
    issuer = issuerServer.issuer;
    server = issuerServer.sophia(dir, AUDIENCE, new RefusingResearcher());
  }

  @AfterAll
  void stop() {
    server.close();
    issuerServer.close();
  }

  @BeforeEach
  void rightTokens() {
    issuerServer.tweak(b -> {});
    issuerServer.answerWith("opaque-access", "");
  }

  // ---- the browser's part, step by step (no redirect is followed on its own) ----

  /** The sign-in begun: the issuer's address and the state cookie Sophia set. */
  private record Begun(URI location, String cookie) {}

  /** The issuer's answer: the code and state it sent the browser back with. */
  private record Returned(String code, String state) {}

  private Begun begin() {
    HttpResponse<String> r = server.get("/dashboard/oidc/login");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    Matcher m = STATE_COOKIE.matcher(r.headers().firstValue("Set-Cookie").orElseThrow());
    assertThat(m.find()).isTrue();
    return new Begun(
        URI.create(r.headers().firstValue("Location").orElseThrow()), "sophia_oidc=" + m.group(1));
  }

  private Returned atIssuer(Begun begun) throws Exception {
    HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(begun.location()).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    URI back = URI.create(r.headers().firstValue("Location").orElseThrow());
    assertThat(back.toString()).startsWith(REDIRECT + "?");
    Map<String, String> q = LoopbackIssuer.query(back.getRawQuery());
    return new Returned(q.get("code"), q.get("state"));
  }

  private HttpResponse<String> callback(String query, String cookie) {
    return cookie == null
        ? server.get("/dashboard/oidc/callback" + query)
        : server.get("/dashboard/oidc/callback" + query, "Cookie", cookie);
  }

  private HttpResponse<String> callback(Returned back, String cookie) {
    return callback(
        "?code="
            + back.code()
            + "&state="
            + URLEncoder.encode(back.state(), StandardCharsets.UTF_8),
        cookie);
  }

  private HttpResponse<String> signIn() throws Exception {
    Begun begun = begin();
    return callback(atIssuer(begun), begun.cookie());
  }

  private static boolean opensSession(HttpResponse<String> r) {
    return r.headers().allValues("Set-Cookie").stream().anyMatch(c -> SESSION.matcher(c).find());
  }

  private List<AuditEntry> callbackAudit() {
    List<AuditEntry> all = new ArrayList<>();
    server.audit.forEach(all::add);
    return all.stream().filter(e -> e.action().equals(CALLBACK_ACTION)).toList();
  }

  // ---- the dashboard's sign-in ----

  @Test
  void options_sayKeyAndIssuerSignIn() {
    JsonNode options = TestServer.json(server.get("/api/v1/session/options"));
    assertThat(options.get("key").asBoolean()).isTrue();
    assertThat(options.at("/oidc/enabled").asBoolean()).isTrue();
    assertThat(options.at("/oidc/login_url").asText()).isEqualTo("/dashboard/oidc/login");
    assertThat(options.at("/oidc/issuer").asText()).isEqualTo(issuer);
    assertThat(options.at("/oidc/name").asText()).isEqualTo("127.0.0.1");
  }

  @Test
  void login_redirectsToIssuer_withS256ChallengeStateNonce_andSignedLaxCookie() {
    HttpResponse<String> r = server.get("/dashboard/oidc/login");
    assertThat(r.statusCode()).isEqualTo(302);
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    assertThat(location.toString()).startsWith(issuer + "/auth?");
    Map<String, String> q = LoopbackIssuer.query(location.getRawQuery());
    assertThat(q)
        .containsEntry("response_type", "code")
        .containsEntry("client_id", CLIENT_ID)
        .containsEntry("redirect_uri", REDIRECT)
        .containsEntry("scope", "openid profile")
        .containsEntry("code_challenge_method", "S256");
    assertThat(q.get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
    assertThat(q.get("state")).hasSizeGreaterThanOrEqualTo(43);
    assertThat(q.get("nonce")).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(q.get("state"));
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie)
        .startsWith("sophia_oidc=")
        .contains("; Path=/dashboard/oidc", "; HttpOnly", "; SameSite=Lax", "; Max-Age=600")
        // The verifier is in the cookie, but never readable as the challenge's input in clear.
        .doesNotContain(q.get("state"));
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void callback_happyPath_opensAWorkingDashboardSession_andIsAudited() throws Exception {
    int before = callbackAudit().size();
    HttpResponse<String> r = signIn();

    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).hasValue("/");
    String set =
        r.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("sophia_session="))
            .findFirst()
            .orElseThrow();
    assertThat(set).contains("; HttpOnly", "; SameSite=Strict");
    // The one-time state cookie is cleared.
    assertThat(r.headers().allValues("Set-Cookie"))
        .anySatisfy(c -> assertThat(c).startsWith("sophia_oidc=;").contains("Max-Age=0"));
    Matcher m = SESSION.matcher(set);
    assertThat(m.find()).isTrue();
    String cookie = "sophia_session=" + m.group(1);

    HttpResponse<String> who = server.get("/api/v1/session", "Cookie", cookie);
    assertThat(who.statusCode()).as(who.body()).isEqualTo(200);
    JsonNode body = TestServer.json(who);
    assertThat(body.get("key_id").asText()).isEqualTo("oidc:user-42");
    assertThat(body.get("name").asText()).isEqualTo("ada");
    assertThat(body.get("role").asText()).isEqualTo("developer");
    assertThat(server.get("/api/v1/agents", "Cookie", cookie).statusCode()).isEqualTo(200);
    // The role from the issuer holds: a developer may not manage keys.
    assertThat(server.get("/api/v1/keys", "Cookie", cookie).statusCode()).isEqualTo(403);

    List<AuditEntry> audit = callbackAudit();
    assertThat(audit).hasSize(before + 1);
    AuditEntry last = audit.getLast();
    assertThat(last.outcome()).isEqualTo(AuditEntry.Outcome.succeeded);
    assertThat(last.actorId()).isEqualTo("oidc:user-42");
    assertThat(last.status()).isEqualTo(302);
    assertThat(last.target()).isEqualTo("/dashboard/oidc/callback").doesNotContain("code");
  }

  @Test
  void callback_wrongMissingOrForgedState_refused4xx_noSession_audited() throws Exception {
    Begun begun = begin();
    Returned back = atIssuer(begun);
    int before = callbackAudit().size();

    HttpResponse<String> wrong =
        callback(new Returned(back.code(), back.state() + "x"), begun.cookie());
    HttpResponse<String> missing = callback("?code=" + back.code(), begun.cookie());
    HttpResponse<String> noCookie = callback(back, null);
    String sealed = begun.cookie();
    String forgedCookie =
        sealed.substring(0, sealed.length() - 2) + (sealed.endsWith("A") ? "BB" : "AA");
    HttpResponse<String> forged = callback(back, forgedCookie);

    for (HttpResponse<String> r : List.of(wrong, missing, noCookie, forged)) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/problem+json");
      assertThat(opensSession(r)).isFalse();
      TestServer.assertNoInternals(r, dir);
    }
    assertThat(wrong.body()).contains("state");
    assertThat(noCookie.body()).contains("sign in again");
    List<AuditEntry> audit = callbackAudit();
    assertThat(audit.subList(before, audit.size()))
        .hasSize(4)
        .allSatisfy(e -> assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.failed));
    // The right state still works afterwards: refusals did not spend it.
    assertThat(callback(back, begun.cookie()).statusCode()).isEqualTo(302);
  }

  @Test
  void callback_replayed_refusedBySophiaAndByTheIssuer() throws Exception {
    Begun begun = begin();
    Returned back = atIssuer(begun);
    assertThat(callback(back, begun.cookie()).statusCode()).isEqualTo(302);

    // The same callback again: its state was spent.
    HttpResponse<String> again = callback(back, begun.cookie());
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.body()).contains("completed already");
    assertThat(opensSession(again)).isFalse();

    // The spent code under a fresh sign-in's state: the issuer refuses it.
    Begun fresh = begin();
    Returned freshBack = atIssuer(fresh);
    HttpResponse<String> replayed =
        callback(new Returned(back.code(), freshBack.state()), fresh.cookie());
    assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(401);
    assertThat(replayed.body()).contains("invalid_grant");
    assertThat(opensSession(replayed)).isFalse();
  }

  @Test
  void callback_badIdTokens_refused401_audited() throws Exception {
    Map<String, Consumer<JWTClaimsSet.Builder>> bad =
        Map.of(
            "wrong nonce", b -> b.claim("nonce", "not-the-nonce"),
            "no nonce", b -> b.claim("nonce", null),
            "wrong audience", b -> b.audience(AUDIENCE),
            "wrong issuer", b -> b.issuer("https://evil.example"),
            "expired",
                b ->
                    b.issueTime(Date.from(Instant.now().minusSeconds(3600)))
                        .expirationTime(Date.from(Instant.now().minusSeconds(3000))));
    for (var each : bad.entrySet()) {
      issuerServer.tweak(each.getValue());
      int before = callbackAudit().size();
      HttpResponse<String> r = signIn();
      assertThat(r.statusCode()).as(each.getKey() + ": " + r.body()).isEqualTo(401);
      assertThat(r.body()).as(each.getKey()).contains("ID token");
      assertThat(opensSession(r)).as(each.getKey()).isFalse();
      TestServer.assertNoInternals(r, dir);
      assertThat(callbackAudit())
          .as(each.getKey())
          .hasSize(before + 1)
          .last()
          .satisfies(e -> assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.denied));
    }
  }

  @Test
  void callback_noSophiaRole_refused403() throws Exception {
    issuerServer.tweak(b -> b.claim("realm_access", Map.of("roles", List.of("offline_access"))));
    HttpResponse<String> r = signIn();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
    assertThat(r.body()).contains("no Sophia role").contains("ada");
    assertThat(opensSession(r)).isFalse();
  }

  /** The role the session that {@link #signIn} opened has. */
  private String signedInRole() throws Exception {
    HttpResponse<String> r = signIn();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    String set =
        r.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("sophia_session="))
            .findFirst()
            .orElseThrow();
    Matcher m = SESSION.matcher(set);
    assertThat(m.find()).isTrue();
    return TestServer.json(server.get("/api/v1/session", "Cookie", "sophia_session=" + m.group(1)))
        .get("role")
        .asText();
  }

  @Test
  void callback_rolesFromTheAccessToken_whenTheIdTokenNamesNone_cappedByGrantedScope()
      throws Exception {
    issuerServer.tweak(b -> b.claim("realm_access", null));
    issuerServer.answerWith(issuerServer.bearer(AUDIENCE, null, "admin"), "");
    assertThat(signedInRole()).isEqualTo("admin");

    issuerServer.answerWith(issuerServer.bearer(AUDIENCE, "openid sophia:developer", "admin"), "");
    assertThat(signedInRole()).isEqualTo("developer");

    // The ID token's roles, capped by the scope the token endpoint says it granted.
    issuerServer.tweak(b -> b.claim("realm_access", Map.of("roles", List.of("admin"))));
    issuerServer.answerWith("opaque-access", "openid sophia:readonly");
    assertThat(signedInRole()).isEqualTo("readonly");
  }

  @Test
  void callback_issuerError_refused401_withItsWords() {
    HttpResponse<String> r =
        callback("?error=access_denied&error_description=the+user+said+no&state=x", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("access_denied").contains("the user said no");
    assertThat(opensSession(r)).isFalse();
  }
}
