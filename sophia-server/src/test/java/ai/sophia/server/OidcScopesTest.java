package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sophia's roles as OAuth scopes ({@code sophia:readonly} … {@code sophia:admin}), with tokens from
 * a {@link LoopbackIssuer}: a token's {@code scope} claim caps its role on REST and on {@code
 * /mcp}, which answers as an OAuth resource server (MCP authorization 2025-11-25): 401 naming the
 * metadata and the scope, 403 {@code insufficient_scope} naming the scope a tool needs, {@code
 * scopes_supported} in its metadata, each tool's role in its {@code _meta}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcScopesTest {
  private static final String AUDIENCE = "https://sophia.test";
  private static final String ACCEPT = "application/json, text/event-stream";

  @TempDir static Path dir;
  private LoopbackIssuer issuer;
  private TestServer server;

  @BeforeAll
  void start() {
    issuer = LoopbackIssuer.start("https://sophia.test/dashboard/oidc/callback");
    server = issuer.sophia(dir, AUDIENCE, new RefusingResearcher());
  }

  @AfterAll
  void stop() {
    server.close();
    issuer.close();
  }

  @Test
  void rest_scopeClaim_capsTheRole() {
    String readonly = issuer.bearer(AUDIENCE, "openid sophia:readonly", "admin");
    assertThat(server.get("/api/v1/agents", "Authorization", "Bearer " + readonly).statusCode())
        .isEqualTo(200);
    HttpResponse<String> keys = server.get("/api/v1/keys", "Authorization", "Bearer " + readonly);
    assertThat(keys.statusCode()).isEqualTo(403);
    assertThat(keys.body()).contains("readonly");
    // No sophia: scope at all: the roles claim alone decides, as before.
    String admin = issuer.bearer(AUDIENCE, "openid profile", "admin");
    assertThat(server.get("/api/v1/keys", "Authorization", "Bearer " + admin).statusCode())
        .isEqualTo(200);
  }

  private HttpResponse<String> mcp(String token, String body, String... session) {
    List<String> headers = new ArrayList<>(List.of("Accept", ACCEPT));
    if (token != null) {
      headers.addAll(List.of("Authorization", "Bearer " + token));
    }
    if (session.length > 0) {
      headers.addAll(List.of("Mcp-Session-Id", session[0]));
    }
    return server.post("/mcp", "application/json", body, headers.toArray(String[]::new));
  }

  private static String call(String tool) {
    return call(tool, "{}");
  }

  private static String call(String tool, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\""
        + tool
        + "\",\"arguments\":"
        + arguments
        + "}}";
  }

  /** Arguments code_modify's schema accepts, for a repository this server does not have. */
  private static final String CHANGE =
      "{\"repository\":\"none\",\"files\":[{\"path\":\"x.md\",\"content\":\"x\"}]}";

  private String session(String token) {
    HttpResponse<String> init =
        mcp(
            token,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
    String id = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    mcp(token, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", id);
    return id;
  }

  @Test
  void mcp_noOrBadToken_401NamesMetadataAndScope() {
    HttpResponse<String> r = mcp(null, call("agents_list"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
        .startsWith("Bearer ")
        .contains("resource_metadata=\"http://127.0.0.1:" + server.port)
        .contains("/.well-known/oauth-protected-resource\"")
        .contains("scope=\"sophia:readonly\"")
        .doesNotContain("error=");
    HttpResponse<String> bad =
        mcp(issuer.bearer(AUDIENCE, "sophia:admin", "admin") + "x", call("agents_list"));
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"")
        .contains("scope=\"sophia:readonly\"");
  }

  @Test
  void mcp_readonlyScopedToken_writeTool_403InsufficientScope_enoughScopeSucceeds() {
    String readonly = issuer.bearer(AUDIENCE, "sophia:readonly", "admin");
    String session = session(readonly);
    HttpResponse<String> refused = mcp(readonly, call("code_modify", CHANGE), session);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow())
        .startsWith("Bearer error=\"insufficient_scope\"")
        .contains("scope=\"sophia:developer\"");
    assertThat(refused.body()).contains("needs role developer");
    HttpResponse<String> alsoRefused = mcp(readonly, call("swarm_trigger"), session);
    assertThat(alsoRefused.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("scope=\"sophia:user\"");

    // A read within its scope runs.
    HttpResponse<String> read = mcp(readonly, call("agents_list"), session);
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(read.body()).contains("\"agents\"").doesNotContain("\"isError\":true");

    // Enough scope: the same write tool is let through to the tool itself.
    String developer = issuer.bearer(AUDIENCE, "sophia:developer", "admin");
    String devSession = session(developer);
    HttpResponse<String> allowed = mcp(developer, call("code_modify", CHANGE), devSession);
    assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
    assertThat(allowed.body()).doesNotContain("insufficient_scope").doesNotContain("needs role");
  }

  @Test
  void mcp_metadataListsScopes_andToolsShowTheirRole() {
    JsonNode doc = TestServer.json(server.get("/.well-known/oauth-protected-resource"));
    List<String> scopes = new ArrayList<>();
    doc.get("scopes_supported").forEach(s -> scopes.add(s.asText()));
    assertThat(scopes)
        .containsExactly("sophia:admin", "sophia:developer", "sophia:user", "sophia:readonly");
    assertThat(doc.get("authorization_servers").toString()).contains(issuer.issuer);

    String token = issuer.bearer(AUDIENCE, null, "user");
    HttpResponse<String> list =
        mcp(token, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", session(token));
    assertThat(list.statusCode()).isEqualTo(200);
    String body = list.body();
    int code = body.indexOf("\"name\":\"code_modify\"");
    assertThat(code).isPositive();
    assertThat(body)
        .contains("\"_meta\":{\"ai.sophia/role\":\"developer\"}")
        .contains("\"_meta\":{\"ai.sophia/role\":\"readonly\"}")
        .contains("\"_meta\":{\"ai.sophia/role\":\"user\"}");
  }
}
