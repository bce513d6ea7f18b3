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
 * this process's own, or one derived from the at-rest encryption keyring that nodes share.
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
    HttpResponse<String> callback = signIn(server, server);

    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
    assertThat(callback.headers().allValues("Set-Cookie"))
        .anySatisfy(c -> assertThat(c).startsWith("sophia_session="));
  }

  /**
   * Nodes that share the at-rest encryption keyring (as nodes on one database must) accept each
   * other's state cookies; without one, each process signs with its own random key and another node
   * refuses the callback.
   */
  @Test
  void signIn_publicClient_callbackOnAnotherNode_sharedKeyringOnly(@TempDir Path other)
      throws Exception {
    String keys = "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
    Map<String, String> env = Map.of("SOPHIA_ENCRYPTION_KEYS", keys);
    String yaml = issuer.sophiaYaml("https://sophia.test");
    try (TestServer a = create(other.resolve("a"), env, yaml);
        TestServer b = create(other.resolve("b"), env, yaml);
        TestServer c = create(other.resolve("c"), Map.of(), yaml)) {
      HttpResponse<String> shared = signIn(a, b);
      assertThat(shared.statusCode()).as(shared.body()).isEqualTo(302);
      assertThat(shared.headers().allValues("Set-Cookie"))
          .anySatisfy(v -> assertThat(v).startsWith("sophia_session="));

      HttpResponse<String> unshared = signIn(server, c);
      assertThat(unshared.headers().allValues("Set-Cookie"))
          .noneSatisfy(v -> assertThat(v).startsWith("sophia_session="));
      assertThat(unshared.statusCode()).isNotEqualTo(302);
    }
  }

  private static TestServer create(Path dir, Map<String, String> env, String yaml)
      throws java.io.IOException {
    java.nio.file.Files.createDirectories(dir);
    return TestServer.create(
        dir, env, yaml, new RefusingResearcher(), ai.sophia.health.HealthChecks.create());
  }

  /** Begins a sign-in on {@code begin}, approves it at the issuer, and calls back {@code end}. */
  private static HttpResponse<String> signIn(TestServer begin, TestServer end) throws Exception {
    HttpResponse<String> login = begin.get("/dashboard/oidc/login");
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
    return end.get(
        "/dashboard/oidc/callback?code="
            + back.get("code")
            + "&state="
            + URLEncoder.encode(back.get("state"), StandardCharsets.UTF_8),
        "Cookie",
        "sophia_oidc=" + cookie.group(1));
  }
}
