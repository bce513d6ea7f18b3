package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * The dashboard's sign-in as a public client of the issuer: no secret anywhere, the client id in
 * the token request's form and PKCE alone binding the code; the state cookie signed with a key of
 * this process's own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcPublicClientTest {
  private static final String REDIRECT = "https://sophia.test/dashboard/oidc/callback";
  private static final Pattern STATE_COOKIE = Pattern.compile("sophia_oidc=([^;]+)");

  @TempDir static Path dir;
  private LoopbackIssuer issuer;
  private TestServer server;

  @BeforeAll
  void start() {
    issuer = LoopbackIssuer.start(REDIRECT, false);
    server = issuer.sophia(dir, "https://sophia.test", new RefusingResearcher());
  }

  @AfterAll
  void stop() {
    server.close();
    issuer.close();
  }

  @Test
  void signIn_publicClient_opensASession() throws Exception {
    HttpResponse<String> login = server.get("/dashboard/oidc/login");
    assertThat(login.statusCode()).isEqualTo(302);
    Matcher cookie = STATE_COOKIE.matcher(login.headers().firstValue("Set-Cookie").orElseThrow());
    assertThat(cookie.find()).isTrue();
    HttpResponse<String> atIssuer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(login.headers().firstValue("Location").orElseThrow()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Map<String, String> back =
        LoopbackIssuer.query(
            URI.create(atIssuer.headers().firstValue("Location").orElseThrow()).getRawQuery());

    HttpResponse<String> callback =
        server.get(
            "/dashboard/oidc/callback?code="
                + back.get("code")
                + "&state="
                + URLEncoder.encode(back.get("state"), StandardCharsets.UTF_8),
            "Cookie",
            "sophia_oidc=" + cookie.group(1));

    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
    assertThat(callback.headers().allValues("Set-Cookie"))
        .anySatisfy(c -> assertThat(c).startsWith("sophia_session="));
  }
}
