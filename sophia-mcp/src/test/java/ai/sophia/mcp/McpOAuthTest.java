package ai.sophia.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.config.SophiaConfig;
import ai.sophia.health.HealthStatus;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import ai.sophia.security.FieldCipher;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sophia's MCP client against an MCP server that requires an OAuth bearer token (the official
 * TypeScript SDK's {@code requireBearerAuth}, {@code bearer-server.mjs}), its tokens issued by a
 * loopback authorization server ({@link LoopbackAuthServer}) with the client credentials grant and
 * checked by the MCP server through introspection: so a token Sophia lets expire, or one revoked,
 * is refused with a real 401.
 */
class McpOAuthTest {
  private static final String CLIENT = "sophia-test";
  private static final String SECRET = "s3cr3t-client-secret-value";

  private static LoopbackAuthServer auth;
  private static BearerMcpServer mcpServer;
  private static String mcpUrl;

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startServers() {
    auth = LoopbackAuthServer.start(CLIENT, SECRET);
    mcpServer = BearerMcpServer.start(auth);
    mcpUrl = mcpServer.url();
  }

  @AfterAll
  static void stopServers() throws InterruptedException {
    if (mcpServer != null) {
      mcpServer.close();
    }
    if (auth != null) {
      auth.close();
    }
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    auth.expiresIn = 3600;
    auth.metadataIssuer = null;
    auth.withoutMetadata = false;
  }

  /** Discovery for an MCP server at the authorization server's origin, which has no RFC 9728. */
  private static OAuthDiscovery.AuthServer discoverMarch() {
    return new OAuthDiscovery(
            "remote",
            OAuthTokens.http(java.time.Duration.ofSeconds(5)),
            java.time.Duration.ofSeconds(5))
        .discover(auth.url() + "/mcp", "Bearer");
  }

  private McpConnection connect(SophiaConfig.McpOAuth oauth, String secret, McpTokenStore store) {
    return connect(mcpUrl, oauth, secret, store);
  }

  private McpConnection connect(
      String url, SophiaConfig.McpOAuth oauth, String secret, McpTokenStore store) {
    SophiaConfig.McpServerSpec spec =
        new SophiaConfig.McpServerSpec(null, null, null, url, null, oauth, null, 5000);
    McpConnection c =
        new McpConnection("remote", spec, Map.of("REMOTE_SECRET", secret), "test", store);
    open.add(c);
    c.start();
    return c;
  }

  /** A client with no token URL: it follows the 401 to the authorization server. */
  private McpConnection connectDiscovering() {
    return connect(
        new SophiaConfig.McpOAuth(null, null, CLIENT, "REMOTE_SECRET", null, null, null, null),
        SECRET,
        McpTokenStore.inMemory());
  }

  private static SophiaConfig.McpOAuth configured(String scope) {
    return new SophiaConfig.McpOAuth(
        null, auth.tokenUrl(), CLIENT, "REMOTE_SECRET", null, scope, null, null);
  }

  private static String text(McpSchema.CallToolResult result) {
    return ((McpSchema.TextContent) result.content().getFirst()).text();
  }

  private Database sealedDatabase() {
    Database plain = Backend.sqlite.open(dir);
    Database db = plain.sealedWith(FieldCipher.parse("k1:" + "B".repeat(43) + "=", "test"));
    open.add(db);
    return db;
  }

  @Test
  void clientCredentials_tokenFromTheTokenEndpoint_toolCallsCarryIt() {
    int before = auth.tokenRequests().size();
    McpConnection c = connect(configured("mcp:tools"), SECRET, McpTokenStore.inMemory());

    assertThat(c.connected()).isTrue();
    assertThat(c.tools()).extracting(McpSchema.Tool::name).contains("echo", "whoami");
    assertThat(text(c.call("whoami", Map.of()))).isEqualTo("client: " + CLIENT);
    assertThat(text(c.call("echo", Map.of("message", "hi")))).isEqualTo("echo: hi");
    List<LoopbackAuthServer.TokenRequest> requests = auth.tokenRequests();
    assertThat(requests).hasSize(before + 1);
    LoopbackAuthServer.TokenRequest request = requests.getLast();
    assertThat(request.clientAuth()).isEqualTo("client_secret_basic");
    assertThat(request.form())
        .containsEntry("grant_type", "client_credentials")
        .containsEntry("scope", "mcp:tools")
        .doesNotContainKey("client_secret")
        .doesNotContainKey("resource");
    assertThat(auth.refusedTokens()).isEmpty();
  }

  @Test
  void shortLivedToken_renewedBeforeItExpires() throws Exception {
    auth.expiresIn = 2;
    McpConnection c = connect(configured(null), SECRET, McpTokenStore.inMemory());
    assertThat(text(c.call("echo", Map.of("message", "one")))).isEqualTo("echo: one");
    int before = auth.tokenRequests().size();
    List<String> refusedBefore = auth.refusedTokens();

    Thread.sleep(2_100);
    assertThat(text(c.call("echo", Map.of("message", "two")))).isEqualTo("echo: two");

    // Renewed before use: the MCP server never saw the expired token.
    assertThat(auth.tokenRequests()).hasSize(before + 1);
    assertThat(auth.refusedTokens()).isEqualTo(refusedBefore);
  }

  @Test
  void revokedToken_401_renewsOnceAndTheCallSucceeds() {
    McpConnection c = connect(configured(null), SECRET, McpTokenStore.inMemory());
    assertThat(c.connected()).isTrue();
    String first = auth.tokens().getLast();
    int before = auth.tokenRequests().size();

    auth.revoke(first);
    assertThat(text(c.call("echo", Map.of("message", "again")))).isEqualTo("echo: again");

    assertThat(auth.tokenRequests()).hasSize(before + 1);
    assertThat(auth.refusedTokens()).containsExactly(first);
    assertThat(c.connected()).isTrue();
  }

  @Test
  void insufficientScope403_reauthorizesForTheUnionOfScopes_andTheCallSucceeds() throws Exception {
    BearerMcpServer scoped = BearerMcpServer.start(auth, "admin");
    open.add(scoped);
    McpConnection c = connect(scoped.url(), configured("read"), SECRET, McpTokenStore.inMemory());

    assertThat(c.connected()).as(c.healthCheck().check().detail()).isTrue();
    assertThat(text(c.call("echo", Map.of("message", "up")))).isEqualTo("echo: up");
    List<String> scopes =
        auth.tokenRequests().stream().map(r -> r.form().getOrDefault("scope", "")).toList();
    assertThat(scopes).endsWith("read", "read admin");
  }

  @Test
  void insufficientScope403Repeated_notConnected_clearErrorNamingTheScope() throws Exception {
    int before = auth.tokenRequests().size();
    BearerMcpServer scoped = BearerMcpServer.start(auth, "impossible");
    open.add(scoped);
    McpConnection c = connect(scoped.url(), configured("read"), SECRET, McpTokenStore.inMemory());

    assertThat(c.connected()).isFalse();
    assertThat(c.healthCheck().check().detail())
        .contains("MCP server 'remote' refuses the request for insufficient scope")
        .contains("'impossible'")
        .doesNotContain(SECRET);
    // One token, then one for the larger scope; the same refusal again ends it.
    assertThat(auth.tokenRequests()).hasSize(before + 2);
    assertThat(auth.tokenRequests().getLast().form()).containsEntry("scope", "read impossible");
  }

  @Test
  void discover_noProtectedResourceMetadata_authorizationServerMetadataAtTheOrigin() {
    OAuthDiscovery.AuthServer as = discoverMarch();

    assertThat(as.issuer()).isEqualTo(auth.url());
    assertThat(as.tokenEndpoint()).isEqualTo(auth.tokenUrl());
    assertThat(as.authMethods()).contains("client_secret_basic");
    assertThat(as.resource()).isEqualTo(auth.url() + "/mcp");
  }

  @Test
  void discover_noMetadataAtAll_defaultEndpointsAtTheOrigin() {
    auth.withoutMetadata = true;

    OAuthDiscovery.AuthServer as = discoverMarch();

    assertThat(as.tokenEndpoint()).isEqualTo(auth.url() + "/token");
    assertThat(as.authorizationEndpoint()).isEqualTo(auth.url() + "/authorize");
    assertThat(as.registrationEndpoint()).isEqualTo(auth.url() + "/register");
    assertThat(as.codeChallengeMethods()).containsExactly("S256");
  }

  @Test
  void discover_originMetadataNamingAnotherIssuer_refusedBeforeAnyCredential() {
    auth.metadataIssuer = "https://issuer.example";

    org.assertj.core.api.Assertions.assertThatThrownBy(McpOAuthTest::discoverMarch)
        .isInstanceOf(McpConnection.McpUnavailable.class)
        .hasMessageContaining("names another issuer, https://issuer.example");
  }

  @Test
  void wrongSecret_notConnected_clearErrorWithoutTheSecret() throws Exception {
    McpConnection c = connect(configured(null), "wrong-secret-xyz", McpTokenStore.inMemory());

    assertThat(c.connected()).isFalse();
    HealthStatus health = c.healthCheck().check();
    assertThat(health.state()).isEqualTo(HealthStatus.State.down);
    assertThat(health.detail())
        .contains("MCP server 'remote'")
        .contains(auth.tokenUrl())
        .contains(
            "refused the client credentials request of 'sophia-test': HTTP 401 invalid_client"
                + " (Client authentication failed)")
        .doesNotContain("wrong-secret-xyz")
        .doesNotContain(SECRET);
    assertThat(auth.tokenRequests().getLast().form()).doesNotContainValue("wrong-secret-xyz");
  }

  @Test
  void missingSecretVariable_notConnected_namesTheVariable() throws Exception {
    SophiaConfig.McpServerSpec spec =
        new SophiaConfig.McpServerSpec(
            null, null, null, mcpUrl, null, configured(null), null, 5000);
    McpConnection c = new McpConnection("remote", spec, Map.of(), "test", McpTokenStore.inMemory());
    open.add(c);
    c.start();

    assertThat(c.healthCheck().check().detail())
        .contains("REMOTE_SECRET")
        .contains("oauth.client_secret_env");
  }

  @Test
  void noTokenUrl_tokenEndpointDiscoveredFromThe401() {
    McpConnection c = connectDiscovering();

    assertThat(c.connected()).isTrue();
    assertThat(text(c.call("whoami", Map.of()))).isEqualTo("client: " + CLIENT);
    // RFC 8707: the token is asked for the MCP server the metadata names.
    assertThat(auth.tokenRequests().getLast().form()).containsEntry("resource", mcpUrl);
  }

  @Test
  void discoveredMetadataNamingAnotherIssuer_notConnected_noCredentialsSent() throws Exception {
    auth.metadataIssuer = "https://issuer.example";
    int before = auth.tokenRequests().size();
    McpConnection c = connectDiscovering();

    assertThat(c.connected()).isFalse();
    assertThat(c.healthCheck().check().detail())
        .contains("MCP server 'remote'")
        .contains("names another issuer, https://issuer.example")
        .doesNotContain(SECRET);
    assertThat(auth.tokenRequests()).hasSize(before);

    // Its own origin at a path below the listed server's (another tenant) is refused too.
    auth.metadataIssuer = auth.url() + "/tenant1";
    McpConnection tenant = connectDiscovering();
    assertThat(tenant.connected()).isFalse();
    assertThat(tenant.healthCheck().check().detail())
        .contains("names another issuer, " + auth.url() + "/tenant1");
    assertThat(auth.tokenRequests()).hasSize(before);

    // The listed server itself, with a trailing slash, passes.
    auth.metadataIssuer = auth.url() + "/";
    McpConnection again = connectDiscovering();
    assertThat(again.connected()).isTrue();
  }

  @Test
  void within_issuerPathAtOrAboveTheListedOne_bySegments() {
    assertThat(OAuthDiscovery.within("/tenant1", "")).isTrue();
    assertThat(OAuthDiscovery.within("/tenant1", "/")).isTrue();
    assertThat(OAuthDiscovery.within("/tenant1/", "/tenant1")).isTrue();
    assertThat(OAuthDiscovery.within("/realms/a/b", "/realms/a")).isTrue();
    assertThat(OAuthDiscovery.within("", "/tenant1")).isFalse();
    assertThat(OAuthDiscovery.within("/tenant1", "/tenant2")).isFalse();
    assertThat(OAuthDiscovery.within("/tenant10", "/tenant1")).isFalse();
  }

  @Test
  void sealedStore_restartReusesTheToken_andTheFileHoldsNoPlaintext() throws IOException {
    Database db = sealedDatabase();
    SqlMcpTokenStore store = new SqlMcpTokenStore(db, Clock.systemUTC());
    McpConnection first = connect(configured(null), SECRET, store);
    assertThat(first.connected()).isTrue();
    String token = auth.tokens().getLast();
    int before = auth.tokenRequests().size();
    first.close();

    McpConnection second = connect(configured(null), SECRET, store);
    assertThat(text(second.call("echo", Map.of("message", "x")))).isEqualTo("echo: x");

    assertThat(auth.tokenRequests()).as("the stored token was used").hasSize(before);
    assertThat(store.find("remote")).get().extracting(t -> t.accessToken()).isEqualTo(token);
    byte[] needle = token.getBytes(StandardCharsets.US_ASCII);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(indexOf(Files.readAllBytes(file), needle)).as(file.toString()).isEqualTo(-1);
      }
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
