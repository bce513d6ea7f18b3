package ai.sophia.mcp;

import ai.sophia.config.SophiaConfig;
import ai.sophia.mcp.McpConnection.McpUnavailable;
import ai.sophia.mcp.McpTokenStore.StoredToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.transport.HttpRequestSnapshot;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access token of one MCP server, obtained with OAuth client credentials (RFC 6749 section
 * 4.4): a form post with {@code grant_type=client_credentials} to the token endpoint, the client
 * authenticated with HTTP Basic ({@code client_secret_basic}) unless the authorization server lists
 * only {@code client_secret_post}.
 *
 * <p>Design: one instance per connection, shared by every request of it; {@link #bearer} and {@link
 * #unauthorized} are synchronized, so concurrent requests wait for one token request rather than
 * each making its own. A token is renewed before it expires ({@code expires_in}: a tenth of its
 * lifetime early, at most a minute) and once on a 401 for the token that request carried (a 401 for
 * a token already replaced only retries with the new one). Without a configured {@code token_url},
 * the first request goes without a token and the 401's challenge leads to the token endpoint
 * ({@link OAuthDiscovery}). Tokens are kept in the {@link McpTokenStore}; the secret and the tokens
 * never appear in a log line or an exception message.
 */
final class OAuthTokens {
  private static final Logger log = LoggerFactory.getLogger(OAuthTokens.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration MAX_EARLY = Duration.ofMinutes(1);

  private final String server;
  private final String mcpUrl;
  private final SophiaConfig.McpOAuth oauth;
  private final String secret;
  private final String client;
  private final McpTokenStore store;
  private final Duration timeout;
  private final Clock clock;
  private final HttpClient http;

  private OAuthDiscovery.AuthServer authServer;
  private String token;
  private long renewAt;

  OAuthTokens(
      String server,
      String mcpUrl,
      SophiaConfig.McpOAuth oauth,
      String secret,
      McpTokenStore store,
      Duration timeout,
      Clock clock) {
    this.server = server;
    this.mcpUrl = mcpUrl;
    this.oauth = oauth;
    this.secret = secret;
    this.store = store;
    this.timeout = timeout;
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    boolean configured = oauth.tokenUrl() != null && !oauth.tokenUrl().isBlank();
    this.client = oauth.clientId() + " " + (configured ? oauth.tokenUrl() : mcpUrl);
    if (configured) {
      authServer = new OAuthDiscovery.AuthServer(oauth.tokenUrl(), java.util.List.of(), null, null);
    }
    store
        .find(server)
        .filter(t -> t.client().equals(client))
        .ifPresent(t -> keep(t.accessToken(), t.expiresAt()));
  }

  /**
   * The token to send now, fetched or renewed when needed; empty while the token endpoint is not
   * known yet (the server's 401 will say where it is).
   *
   * @throws McpUnavailable when the token endpoint refuses or cannot be reached
   */
  synchronized String bearer() {
    if (token != null && (renewAt == 0 || clock.millis() < renewAt)) {
      return token;
    }
    if (authServer == null && token == null) {
      return "";
    }
    if (authServer == null) {
      return token; // expiring, but only a 401 can tell where to renew it
    }
    return fetch();
  }

  /**
   * The MCP server answered {@code status} to a request that carried {@code request}'s token: on a
   * 401, finds the token endpoint if needed and renews the token (unless another request did
   * already). True when the request should be sent again.
   *
   * @throws McpUnavailable when no token can be obtained (the message says why)
   */
  synchronized boolean unauthorized(
      HttpRequestSnapshot request, int status, String wwwAuthenticate) {
    if (status != 401) {
      return false; // 403 insufficient_scope: a new token of the same scope would not help
    }
    String sent =
        request
            .headers()
            .firstValue("Authorization")
            .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
            .map(h -> h.substring(7).strip())
            .orElse("");
    if (authServer == null) {
      authServer = new OAuthDiscovery(server, http, timeout).discover(mcpUrl, wwwAuthenticate);
    }
    if (token == null || token.equals(sent)) {
      if (!sent.isEmpty()) {
        log.info("MCP server {} refused its access token (401); asking for a new one", server);
      }
      token = null;
      store.delete(server);
      fetch();
    }
    return true;
  }

  private String fetch() {
    OAuthDiscovery.AuthServer as = authServer;
    boolean post =
        !as.authMethods().isEmpty()
            && !as.authMethods().contains("client_secret_basic")
            && as.authMethods().contains("client_secret_post");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    String scope = oauth.scope() != null && !oauth.scope().isBlank() ? oauth.scope() : as.scope();
    if (scope != null && !scope.isBlank()) {
      form.put("scope", scope);
    }
    if (as.resource() != null) {
      form.put("resource", as.resource()); // RFC 8707, as the MCP spec asks of discovered servers
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(as.tokenEndpoint()))
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json");
    if (post) {
      form.put("client_id", oauth.clientId());
      form.put("client_secret", secret);
    } else {
      // RFC 6749 section 2.3.1: the id and secret form-encoded, then Base64.
      String pair = encode(oauth.clientId()) + ":" + encode(secret);
      b.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    String body =
        form.entrySet().stream()
            .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
            .collect(Collectors.joining("&"));
    HttpResponse<String> response;
    try {
      response =
          http.send(
              b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw fail("could not be reached: " + e.getClass().getSimpleName() + " " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail("was interrupted");
    }
    JsonNode json = parse(response.body());
    if (response.statusCode() != 200) {
      String error = json.path("error").asText("");
      String description = json.path("error_description").asText("");
      throw fail(
          "refused the client credentials of '"
              + oauth.clientId()
              + "': HTTP "
              + response.statusCode()
              + (error.isEmpty() ? "" : " " + clip(error))
              + (description.isEmpty() ? "" : " (" + clip(description) + ")"));
    }
    String access = json.path("access_token").asText("");
    String type = json.path("token_type").asText("Bearer");
    if (access.isEmpty() || !type.equalsIgnoreCase("bearer")) {
      throw fail("answered without a Bearer access_token");
    }
    long expiresIn = json.path("expires_in").asLong(0);
    long expiresAt = expiresIn > 0 ? clock.millis() + expiresIn * 1000 : 0;
    keep(access, expiresAt);
    store.save(server, new StoredToken(client, access, expiresAt));
    log.info(
        "MCP server {}: new access token from {}{}",
        server,
        as.tokenEndpoint(),
        expiresIn > 0 ? ", expires in " + expiresIn + " s" : "");
    return access;
  }

  private void keep(String access, long expiresAt) {
    token = access;
    if (expiresAt == 0) {
      renewAt = 0;
    } else {
      long early = Math.min(MAX_EARLY.toMillis(), Math.max(0, expiresAt - clock.millis()) / 10);
      renewAt = expiresAt - early;
    }
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode node = JSON.readTree(body == null ? "" : body);
      return node == null ? JSON.createObjectNode() : node;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  private String clip(String text) {
    String safe = text.replace(secret, "<redacted>");
    return safe.length() > 200 ? safe.substring(0, 200) + "…" : safe;
  }

  private McpUnavailable fail(String why) {
    return new McpUnavailable(
        "MCP server '"
            + server
            + "': the token endpoint "
            + authServer.tokenEndpoint()
            + " "
            + why);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
