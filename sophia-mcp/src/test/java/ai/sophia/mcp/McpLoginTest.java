package ai.sophia.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.config.SophiaConfig;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import ai.sophia.security.FieldCipher;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
 * A person's sign-in ({@link McpLogin}, {@code oauth.grant: authorization_code}) against the
 * TypeScript SDK's bearer-protected MCP server ({@code bearer-server.mjs}) and the loopback
 * authorization server, whose person approves at once; the browser is {@link
 * ConformanceClient#browse} (it opens the URL and follows the redirect). Then the connection uses
 * the stored tokens and renews them with the refresh token.
 */
class McpLoginTest {
  private static LoopbackAuthServer auth;
  private static BearerMcpServer mcpServer;
  private static String mcpUrl;

  @TempDir Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<URI> opened = new ArrayList<>();

  @BeforeAll
  static void startServers() {
    auth = LoopbackAuthServer.start("confidential", "unused-secret");
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
    auth.clientIdMetadataDocuments = false;
  }

  private static SophiaConfig.McpServerSpec spec() {
    return spec(mcpUrl);
  }

  private static SophiaConfig.McpServerSpec spec(String url) {
    return spec(url, null);
  }

  private static SophiaConfig.McpServerSpec spec(String url, String clientMetadataUrl) {
    return new SophiaConfig.McpServerSpec(
        null,
        null,
        null,
        url,
        null,
        new SophiaConfig.McpOAuth(
            "authorization_code", null, null, null, null, "mcp:tools", null, clientMetadataUrl),
        null,
        5000);
  }

  private McpLogin.Result login(McpTokenStore store) {
    return login(store, mcpUrl, "");
  }

  private McpLogin.Result login(McpTokenStore store, String mcpUrl, String scope) {
    return McpLogin.login(
        "remote",
        spec(mcpUrl),
        Map.of(),
        store,
        scope,
        url -> {
          opened.add(url);
          ConformanceClient.browse(url);
        },
        Duration.ofSeconds(10));
  }

  private McpConnection connect(McpTokenStore store) {
    return connect(store, mcpUrl);
  }

  private McpConnection connect(McpTokenStore store, String mcpUrl) {
    McpConnection c = new McpConnection("remote", spec(mcpUrl), Map.of(), "test", store);
    open.add(c);
    c.start();
    return c;
  }

  private static String text(McpSchema.CallToolResult result) {
    return ((McpSchema.TextContent) result.content().getFirst()).text();
  }

  @Test
  void login_registersPkceAndResource_thenTheConnectionUsesTheToken() throws Exception {
    McpTokenStore store = McpTokenStore.inMemory();
    McpLogin.Result r = login(store);

    assertThat(r.registered()).isTrue();
    assertThat(r.refreshable()).isTrue();
    assertThat(auth.registeredClients()).contains(r.clientId());
    assertThat(opened)
        .singleElement()
        .asString()
        .contains("response_type=code")
        .contains("code_challenge_method=S256")
        .contains("state=")
        .contains("scope=mcp%3Atools")
        .contains("resource=" + java.net.URLEncoder.encode(mcpUrl, StandardCharsets.UTF_8));
    LoopbackAuthServer.TokenRequest exchange = auth.tokenRequests().getLast();
    assertThat(exchange.clientAuth()).isEqualTo("none");
    assertThat(exchange.form())
        .containsEntry("grant_type", "authorization_code")
        .containsEntry("client_id", r.clientId())
        .containsEntry("resource", mcpUrl)
        .containsKey("code_verifier");

    McpConnection c = connect(store);
    assertThat(c.connected()).isTrue();
    assertThat(text(c.call("whoami", Map.of()))).isEqualTo("client: " + r.clientId());
  }

  @Test
  void expiringAndRevokedTokens_renewedWithTheRefreshToken() throws Exception {
    auth.expiresIn = 2;
    McpTokenStore store = McpTokenStore.inMemory();
    login(store);
    McpConnection c = connect(store);
    assertThat(text(c.call("echo", Map.of("message", "one")))).isEqualTo("echo: one");
    List<String> refused = auth.refusedTokens();

    Thread.sleep(2_100);
    assertThat(text(c.call("echo", Map.of("message", "two")))).isEqualTo("echo: two");
    assertThat(auth.tokenRequests().getLast().form())
        .containsEntry("grant_type", "refresh_token")
        .containsEntry("resource", mcpUrl);
    assertThat(auth.refusedTokens()).as("renewed before it expired").isEqualTo(refused);

    auth.expiresIn = 3600;
    auth.revoke(auth.tokens().getLast());
    int before = auth.tokenRequests().size();
    assertThat(text(c.call("echo", Map.of("message", "three")))).isEqualTo("echo: three");
    assertThat(auth.tokenRequests()).hasSize(before + 1);
    assertThat(auth.tokenRequests().getLast().form()).containsEntry("grant_type", "refresh_token");
  }

  @Test
  void refreshTokenRevoked_callFails_sayingToSignInAgain() throws Exception {
    McpTokenStore store = McpTokenStore.inMemory();
    login(store);
    McpConnection c = connect(store);
    assertThat(c.connected()).isTrue();

    auth.refreshTokens().forEach(auth::revoke);
    auth.revoke(auth.tokens().getLast());

    assertThatThrownBy(() -> c.call("echo", Map.of("message", "x")))
        .hasMessageContaining("MCP server 'remote'");
    assertThat(c.healthCheck().check().detail())
        .contains("needs a person to sign in: run `sophia mcp login remote`")
        .contains("invalid_grant");
  }

  @Test
  void notSignedIn_connectionSaysSo_andConnectsOnceSignedIn() throws Exception {
    McpTokenStore store = McpTokenStore.inMemory();
    McpConnection c = connect(store);
    assertThat(c.connected()).isFalse();
    assertThat(c.healthCheck().check().detail()).contains("run `sophia mcp login remote`");

    login(store);
    // The connection retries with backoff (1 s first) and finds the stored tokens.
    for (int i = 0; i < 100 && !c.connected(); i++) {
      Thread.sleep(50);
    }
    assertThat(c.connected()).isTrue();
  }

  @Test
  void login_metadataDocumentsSupported_theUrlIsTheClientIdAndNothingIsRegistered()
      throws Exception {
    String document = "https://sophia.example.com/oauth/client-metadata.json";
    auth.clientIdMetadataDocuments = true;
    int registered = auth.registeredClients().size();
    McpTokenStore store = McpTokenStore.inMemory();
    McpLogin.Result r =
        McpLogin.login(
            "remote",
            spec(mcpUrl, document),
            Map.of(),
            store,
            "",
            url -> {
              opened.add(url);
              ConformanceClient.browse(url);
            },
            Duration.ofSeconds(10));

    assertThat(r.clientId()).isEqualTo(document);
    assertThat(r.registered()).isFalse();
    assertThat(auth.registeredClients()).hasSize(registered);
    assertThat(opened.getLast().getRawQuery())
        .contains("client_id=" + java.net.URLEncoder.encode(document, StandardCharsets.UTF_8));
    assertThat(auth.tokenRequests().getLast().clientAuth()).isEqualTo("none");
    assertThat(auth.tokenRequests().getLast().form()).containsEntry("client_id", document);

    McpConnection c = new McpConnection("remote", spec(mcpUrl, document), Map.of(), "test", store);
    open.add(c);
    c.start();
    assertThat(text(c.call("whoami", Map.of()))).isEqualTo("client: " + document);
  }

  @Test
  void insufficientScope403_asksASignInForTheUnion_thenNeverAgainForAScopeHeld() throws Exception {
    BearerMcpServer scoped = BearerMcpServer.start(auth, "impossible");
    open.add(scoped);
    McpTokenStore store = McpTokenStore.inMemory();
    login(store, scoped.url(), "");
    McpConnection c = connect(store, scoped.url());

    assertThat(c.connected()).isFalse();
    assertThat(c.healthCheck().check().detail())
        .contains(
            "MCP server 'remote' needs a person to sign in for a larger scope: run `sophia mcp"
                + " login remote --scope 'mcp:tools impossible'` (it asks for 'impossible')");

    login(store, scoped.url(), "mcp:tools impossible");
    // The connection retries (1 s first) with the new token, which holds the scope asked for.
    for (int i = 0; i < 100 && !c.healthCheck().check().detail().contains("refuses"); i++) {
      Thread.sleep(50);
    }
    assertThat(c.healthCheck().check().detail())
        .contains("MCP server 'remote' refuses the request for insufficient scope")
        .contains("'impossible'");
    assertThat(opened).hasSize(2);
    assertThat(opened.getLast().getRawQuery()).contains("scope=mcp%3Atools+impossible");
  }

  @Test
  void sealedStore_fileHoldsNeitherTokenNorRefreshToken() throws Exception {
    Database plain = Backend.sqlite.open(dir);
    Database db = plain.sealedWith(FieldCipher.parse("k1:" + "D".repeat(43) + "=", "test"));
    open.add(db);
    SqlMcpTokenStore store = new SqlMcpTokenStore(db, Clock.systemUTC());
    login(store);
    McpConnection c = connect(store);
    assertThat(c.connected()).isTrue();

    McpTokenStore.StoredToken stored = store.find("remote").orElseThrow();
    assertThat(stored.refreshToken()).isNotEmpty();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertThat(bytes)
            .as(file.toString())
            .doesNotContain(stored.accessToken())
            .doesNotContain(stored.refreshToken());
      }
    }
  }
}
