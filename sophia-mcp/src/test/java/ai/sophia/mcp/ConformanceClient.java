package ai.sophia.mcp;

import ai.sophia.config.SophiaConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The client command the MCP conformance suite spawns for its client scenarios ({@code conformance
 * client --command …}): connects to the server URL it is given (its last argument) with Sophia's
 * own {@link McpConnection} and calls the scenario server's {@code test-tool}. For {@code
 * auth/client-credentials-*} it uses the client credentials of the scenario's context ({@code
 * MCP_CONFORMANCE_CONTEXT}: a secret, or a private key for {@code private_key_jwt}); for the other
 * {@code auth/*} scenarios it first signs in with {@link McpLogin} (with the context's client when
 * it has one, else its client ID metadata document's URL where the authorization server supports
 * them, else registering), the person's browser played by {@link #browse}: the suite's
 * authorization server approves at once and redirects. When the tool call is refused for a larger
 * scope that a new sign-in would give ({@code auth/scope-step-up}), the person signs in again for
 * it, as {@code sophia mcp login --scope} would, and the call goes once more on the same
 * connection. Exits 0 when connected and the call succeeded.
 */
public final class ConformanceClient {
  private static final String SECRET_ENV = "CONFORMANCE_CLIENT_SECRET";

  /** The client id the suite's {@code auth/basic-cimd} expects (the SDKs' conformance clients'). */
  static final String CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";

  private ConformanceClient() {}

  public static void main(String[] args) throws Exception {
    String url = args[args.length - 1];
    String scenario = System.getenv().getOrDefault("MCP_CONFORMANCE_SCENARIO", "");
    JsonNode context =
        new ObjectMapper().readTree(System.getenv().getOrDefault("MCP_CONFORMANCE_CONTEXT", "{}"));
    Map<String, String> env = new HashMap<>();
    String clientId = context.path("client_id").asText(null);
    boolean hasSecret = context.hasNonNull("client_secret");
    if (hasSecret) {
      env.put(SECRET_ENV, context.get("client_secret").asText());
    }
    String keyEnv = null;
    if (context.hasNonNull("private_key_pem")) {
      keyEnv = "CONFORMANCE_PRIVATE_KEY";
      env.put(keyEnv, context.get("private_key_pem").asText());
    }
    SophiaConfig.McpOAuth oauth = null;
    if (scenario.startsWith("auth/client-credentials")) {
      oauth =
          new SophiaConfig.McpOAuth(
              null, null, clientId, keyEnv == null ? SECRET_ENV : null, keyEnv, null, null, null);
    } else if (scenario.startsWith("auth/")) {
      oauth =
          new SophiaConfig.McpOAuth(
              "authorization_code",
              null,
              clientId,
              hasSecret ? SECRET_ENV : null,
              null,
              null,
              null,
              CLIENT_METADATA_URL);
    }
    SophiaConfig.McpServerSpec spec =
        new SophiaConfig.McpServerSpec(null, null, null, url, null, oauth, null, 10_000);
    McpTokenStore store = McpTokenStore.inMemory();
    int exit = 0;
    try {
      if (oauth != null && oauth.signIn()) {
        signIn(spec, env, store, "");
      }
      try (McpConnection c = new McpConnection("conformance", spec, env, "conformance", store)) {
        c.start();
        if (!c.connected()) {
          System.err.println(c.healthCheck().check().detail());
          exit = 1;
        } else if (c.tool("test-tool").isPresent()) {
          McpSchema.CallToolResult result;
          try {
            result = c.call("test-tool", Map.of());
          } catch (OAuthTokens.InsufficientScope e) {
            if (e.signInScope().isEmpty()) {
              throw e;
            }
            System.err.println(e.getMessage());
            signIn(spec, env, store, e.signInScope());
            result = c.call("test-tool", Map.of());
          }
          exit = Boolean.TRUE.equals(result.isError()) ? 1 : 0;
        }
      }
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      exit = 1;
    }
    System.exit(exit);
  }

  private static void signIn(
      SophiaConfig.McpServerSpec spec, Map<String, String> env, McpTokenStore store, String scope) {
    McpLogin.login(
        "conformance", spec, env, store, scope, ConformanceClient::browse, Duration.ofSeconds(20));
  }

  /** A browser whose person approves: opens the URL and follows its redirect to Sophia. */
  public static void browse(URI authorization) {
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    try {
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(authorization).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      String location =
          page.headers()
              .firstValue("Location")
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no redirect from " + authorization + ": " + page.statusCode()));
      http.send(
          HttpRequest.newBuilder(authorization.resolve(location)).GET().build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
