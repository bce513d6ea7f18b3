package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sophia with a real OpenID Connect issuer, Keycloak: its access tokens accepted as bearer tokens
 * with the role its realm gives, and the dashboard's sign-in (authorization code + PKCE) through
 * Keycloak's own login form, as a browser fills it in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeycloakTest {
  private static final String AUDIENCE = "https://sophia.test";
  private static final String REDIRECT = "https://sophia.test/dashboard/oidc/callback";
  private static final String CLIENT = "sophia-dashboard";
  private static final String SECRET = "kc-client-secret";
  private static final Pattern FORM_ACTION =
      Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");
  private static final Pattern STATE_COOKIE = Pattern.compile("sophia_oidc=([^;]+)");
  private static final Pattern SESSION = Pattern.compile("sophia_session=([A-Za-z0-9_-]+)");

  @TempDir static Path dir;
  private TestKeycloak keycloak;
  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    keycloak = TestKeycloak.start(dir);
    keycloak.createRealm(realm());
    String yaml =
        "security:\n  oidc:\n    issuer: \""
            + keycloak.url
            + "/realms/sophia\"\n    audience: \""
            + AUDIENCE
            + "\"\n    roles_claim: roles\n    client_id: "
            + CLIENT
            + "\n    redirect_uri: \""
            + REDIRECT
            + "\"\n";
    server =
        TestServer.create(
            dir,
            Map.of("SOPHIA_OIDC_CLIENT_SECRET", SECRET),
            yaml,
            new RefusingResearcher(),
            ai.sophia.health.HealthChecks.create());
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    if (keycloak != null) {
      keycloak.close();
    }
  }

  /**
   * One realm: a developer role; the dashboard's confidential client, which also has a service
   * account with that role; a second client whose tokens are not for Sophia (no audience); and a
   * user, ada, a developer.
   */
  private static String realm() {
    String roles =
        "{\"name\":\"roles\",\"protocol\":\"openid-connect\","
            + "\"protocolMapper\":\"oidc-usermodel-realm-role-mapper\",\"config\":{"
            + "\"claim.name\":\"roles\",\"multivalued\":\"true\",\"access.token.claim\":\"true\","
            + "\"id.token.claim\":\"true\",\"jsonType.label\":\"String\"}}";
    String audience =
        "{\"name\":\"aud\",\"protocol\":\"openid-connect\","
            + "\"protocolMapper\":\"oidc-audience-mapper\",\"config\":{"
            + "\"included.custom.audience\":\""
            + AUDIENCE
            + "\",\"access.token.claim\":\"true\",\"id.token.claim\":\"false\"}}";
    return "{\"realm\":\"sophia\",\"enabled\":true,"
        + "\"roles\":{\"realm\":[{\"name\":\"developer\"}]},"
        + "\"clients\":["
        + "{\"clientId\":\""
        + CLIENT
        + "\",\"enabled\":true,\"publicClient\":false,\"secret\":\""
        + SECRET
        + "\",\"serviceAccountsEnabled\":true,\"standardFlowEnabled\":true,"
        + "\"attributes\":{\"pkce.code.challenge.method\":\"S256\"},"
        + "\"redirectUris\":[\""
        + REDIRECT
        + "\"],\"protocolMappers\":["
        + audience
        + ","
        + roles
        + "]},"
        + "{\"clientId\":\"elsewhere\",\"enabled\":true,\"publicClient\":false,"
        + "\"secret\":\"elsewhere-secret\",\"serviceAccountsEnabled\":true,"
        + "\"standardFlowEnabled\":false,\"protocolMappers\":["
        + roles
        + "]}],"
        + "\"users\":["
        + "{\"username\":\"service-account-"
        + CLIENT
        + "\",\"enabled\":true,\"serviceAccountClientId\":\""
        + CLIENT
        + "\",\"realmRoles\":[\"developer\"]},"
        + "{\"username\":\"service-account-elsewhere\",\"enabled\":true,"
        + "\"serviceAccountClientId\":\"elsewhere\",\"realmRoles\":[\"developer\"]},"
        + "{\"username\":\"ada\",\"enabled\":true,\"email\":\"ada@example.test\","
        + "\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"emailVerified\":true,"
        + "\"credentials\":[{\"type\":\"password\",\"value\":\"ada-password\","
        + "\"temporary\":false}],\"realmRoles\":[\"developer\"]}]}";
  }

  @Test
  void bearer_keycloakAccessToken_actsWithItsRealmRole_otherAudienceRefused() throws Exception {
    String token = keycloak.clientToken("sophia", CLIENT, SECRET);
    String elsewhere = keycloak.clientToken("sophia", "elsewhere", "elsewhere-secret");

    HttpResponse<String> agents = server.get("/api/v1/agents", "Authorization", "Bearer " + token);
    HttpResponse<String> keys = server.get("/api/v1/keys", "Authorization", "Bearer " + token);
    HttpResponse<String> other =
        server.get("/api/v1/agents", "Authorization", "Bearer " + elsewhere);

    assertThat(agents.statusCode()).as(agents.body()).isEqualTo(200);
    assertThat(keys.statusCode()).as("a developer does not manage keys").isEqualTo(403);
    assertThat(other.statusCode()).as(other.body()).isEqualTo(401);
    assertThat(other.body()).doesNotContain("elsewhere-secret");
  }

  @Test
  void dashboardSignIn_throughKeycloaksLoginForm_opensADeveloperSession() throws Exception {
    HttpResponse<String> login = server.get("/dashboard/oidc/login");
    assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
    Matcher state = STATE_COOKIE.matcher(login.headers().firstValue("Set-Cookie").orElseThrow());
    assertThat(state.find()).isTrue();
    URI authorize = URI.create(login.headers().firstValue("Location").orElseThrow());
    assertThat(authorize.toString()).startsWith(keycloak.url + "/realms/sophia/");

    // The browser: Keycloak's login page, then the form filled in and posted with its cookies
    // (sent by hand: they are marked Secure, which the JDK's cookie store keeps off plain HTTP, and
    // a browser allows on loopback).
    HttpClient browser = HttpClient.newHttpClient();
    HttpResponse<String> page =
        browser.send(
            HttpRequest.newBuilder(authorize).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    Matcher action = FORM_ACTION.matcher(page.body());
    assertThat(action.find()).as(page.body()).isTrue();
    HttpResponse<String> posted =
        browser.send(
            HttpRequest.newBuilder(URI.create(action.group(1).replace("&amp;", "&")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header(
                    "Cookie",
                    String.join(
                        "; ",
                        page.headers().allValues("Set-Cookie").stream()
                            .map(c -> c.split(";", 2)[0])
                            .toList()))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        TestKeycloak.encode(Map.of("username", "ada", "password", "ada-password"))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(302);
    URI back = URI.create(posted.headers().firstValue("Location").orElseThrow());
    assertThat(back.toString()).startsWith(REDIRECT + "?");

    HttpResponse<String> callback =
        server.get(
            "/dashboard/oidc/callback?" + back.getRawQuery(),
            "Cookie",
            "sophia_oidc=" + state.group(1));
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
    String session =
        callback.headers().allValues("Set-Cookie").stream()
            .map(SESSION::matcher)
            .filter(Matcher::find)
            .map(m -> "sophia_session=" + m.group(1))
            .findFirst()
            .orElseThrow();
    JsonNode who = TestServer.json(server.get("/api/v1/session", "Cookie", session));
    assertThat(who.get("role").asText()).isEqualTo("developer");
    assertThat(who.get("key_id").asText()).startsWith("oidc:");
    assertThat(server.get("/api/v1/agents", "Cookie", session).statusCode()).isEqualTo(200);

    // The same code again: refused, and no second session.
    HttpResponse<String> replay =
        server.get(
            "/dashboard/oidc/callback?" + back.getRawQuery(),
            "Cookie",
            "sophia_oidc=" + state.group(1));
    assertThat(replay.statusCode()).isBetween(400, 499);
    assertThat(replay.headers().allValues("Set-Cookie")).noneMatch(c -> SESSION.matcher(c).find());
  }
}
