package ai.sophia.mcp;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.mcp.McpConnection.McpUnavailable;
import ai.sophia.mcp.McpTokenStore.StoredToken;
import io.modelcontextprotocol.client.transport.HttpRequestSnapshot;
import java.net.http.HttpClient;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access token of one MCP server. With the client credentials grant (RFC 6749 section 4.4)
 * Sophia asks the token endpoint itself; with the authorization code grant a person signed in once
 * ({@link McpLogin}) and Sophia renews with the refresh token (section 6).
 *
 * <p>Design: one instance per connection, shared by every request of it; {@link #bearer} and {@link
 * #unauthorized} are synchronized, so concurrent requests wait for one token request rather than
 * each making its own. A token is renewed before it expires ({@code expires_in}: a tenth of its
 * lifetime early, at most a minute) and once on a 401 for the token that request carried (a 401 for
 * a token already replaced only retries with the new one). Without a configured {@code token_url},
 * the first client credentials request goes without a token and the 401's challenge leads to the
 * token endpoint ({@link OAuthDiscovery}). A 403 {@code insufficient_scope} asks a client
 * credentials token for the larger scope, a bounded number of times; a signed-in server needs a new
 * sign-in for it ({@link InsufficientScope}), whose token the connection takes from the store at
 * its next request. A scope the token already holds is never asked for again. Tokens are kept in
 * the {@link McpTokenStore}; secrets and tokens never appear in a log line or an exception message.
 */
final class OAuthTokens {
  private static final Logger log = LoggerFactory.getLogger(OAuthTokens.class);
  private static final Duration MAX_EARLY = Duration.ofMinutes(1);

  /**
   * Re-authorizations for a larger scope per connection. Each must add a scope, and the transport
   * sends a request again only once, so a server that keeps answering 403 ends that request.
   */
  static final int MAX_STEP_UPS = 3;

  private final String server;
  private final String mcpUrl;
  private final SophiaConfig.McpOAuth oauth;
  private final String secret;
  private final PrivateKey key;
  private final String client;
  private final McpTokenStore store;
  private final Duration timeout;
  private final Clock clock;
  private final HttpClient http;

  private OAuthDiscovery.AuthServer authServer;
  private StoredToken current;
  private long renewAt;
  private String scope = ""; // what the client credentials tokens are asked for; "" for unknown
  private int stepUps;
  private boolean signInAsked; // a new sign-in for a larger scope was asked for: watch the store

  /**
   * {@code secret}: the configured client secret, empty for none; {@code key}: the client's private
   * key for {@code private_key_jwt}, null for none.
   */
  OAuthTokens(
      String server,
      String mcpUrl,
      SophiaConfig.McpOAuth oauth,
      String secret,
      PrivateKey key,
      McpTokenStore store,
      Duration timeout,
      Clock clock) {
    this.server = server;
    this.mcpUrl = mcpUrl;
    this.oauth = oauth;
    this.secret = secret;
    this.key = key;
    this.store = store;
    this.timeout = timeout;
    this.clock = clock;
    this.http = http(timeout);
    this.client = fingerprint(oauth, mcpUrl);
    if (!oauth.signIn() && oauth.tokenUrl() != null && !oauth.tokenUrl().isBlank()) {
      authServer = OAuthDiscovery.AuthServer.configured(oauth.tokenUrl());
    }
    reload();
  }

  /** Takes the stored token, if it was issued for this configuration (a sign-in stores one). */
  private void reload() {
    store.find(server).filter(t -> t.client().equals(client)).ifPresent(this::keep);
  }

  private void takeNewSignIn() {
    String before = current == null ? "" : current.accessToken();
    reload();
    if (current != null && !current.accessToken().equals(before) && signInAsked) {
      signInAsked = false;
      stepUps++;
    }
  }

  /**
   * The configured client secret; empty when none is configured (a public or registered client).
   *
   * @throws McpUnavailable when {@code client_secret_env} names a variable that is not set
   */
  static String secret(Secrets secrets, SophiaConfig.McpOAuth o) {
    if (o.clientSecretEnv() == null || o.clientSecretEnv().isBlank()) {
      return "";
    }
    return secrets
        .get(o.clientSecretEnv())
        .orElseThrow(
            () ->
                new McpUnavailable(
                    "the variable "
                        + o.clientSecretEnv()
                        + " (oauth.client_secret_env) is not set"));
  }

  /**
   * The configured private key ({@code private_key_env}); null when none is configured.
   *
   * @throws McpUnavailable when the variable is not set or holds no usable key
   */
  static PrivateKey privateKey(String server, Secrets secrets, SophiaConfig.McpOAuth o) {
    if (o.privateKeyEnv() == null || o.privateKeyEnv().isBlank()) {
      return null;
    }
    String pem =
        secrets
            .get(o.privateKeyEnv())
            .orElseThrow(
                () ->
                    new McpUnavailable(
                        "the variable "
                            + o.privateKeyEnv()
                            + " (oauth.private_key_env) is not set"));
    return ClientAssertions.parse(server, pem);
  }

  static HttpClient http(Duration timeout) {
    return HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** What tokens are issued for: the grant, the client and where; a change makes them unusable. */
  static String fingerprint(SophiaConfig.McpOAuth oauth, String mcpUrl) {
    if (oauth.signIn()) {
      String id =
          oauth.clientId() == null || oauth.clientId().isBlank()
              ? "(registered)"
              : oauth.clientId();
      return "authorization_code " + id + " " + mcpUrl;
    }
    boolean configured = oauth.tokenUrl() != null && !oauth.tokenUrl().isBlank();
    return "client_credentials "
        + oauth.clientId()
        + " "
        + (configured ? oauth.tokenUrl() : mcpUrl);
  }

  /**
   * The token to send now, fetched or renewed when needed; empty while there is none and the token
   * endpoint is not known yet (the server's 401 will say where it is).
   *
   * @throws McpUnavailable when the token endpoint refuses or cannot be reached
   */
  synchronized String bearer() {
    if (oauth.signIn() && (current == null || signInAsked)) {
      takeNewSignIn(); // `sophia mcp login` may have signed in since
    }
    if (current != null && (renewAt == 0 || clock.millis() < renewAt)) {
      return current.accessToken();
    }
    if (current != null && !current.refreshToken().isEmpty()) {
      return refresh();
    }
    if (!oauth.signIn() && authServer != null) {
      return fetch();
    }
    return current == null ? "" : current.accessToken(); // only a 401 can tell what to do
  }

  /**
   * The MCP server answered {@code status} to a request that carried {@code request}'s token: on a
   * 401, renews the token (unless another request did already), finding the token endpoint first if
   * needed. True when the request should be sent again.
   *
   * @throws McpUnavailable when no token can be obtained (the message says why and what to do)
   */
  synchronized boolean unauthorized(
      HttpRequestSnapshot request, int status, String wwwAuthenticate) {
    if (status == 403) {
      return insufficientScope(OAuthDiscovery.challenge(wwwAuthenticate));
    }
    if (status != 401) {
      return false;
    }
    String sent =
        request
            .headers()
            .firstValue("Authorization")
            .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
            .map(h -> h.substring(7).strip())
            .orElse("");
    if (current != null && !current.accessToken().equals(sent)) {
      return true; // renewed meanwhile: send it again with the new token
    }
    if (current != null) {
      log.info("MCP server {} refused its access token (401); renewing it", server);
    }
    if (oauth.signIn()) {
      if (current != null && !current.refreshToken().isEmpty()) {
        refresh();
        return true;
      }
      forget();
      reload();
      if (current != null && !current.accessToken().equals(sent)) {
        return true; // signed in meanwhile
      }
      throw needsSignIn("it has no token");
    }
    if (authServer == null) {
      authServer = new OAuthDiscovery(server, http, timeout).discover(mcpUrl, wwwAuthenticate);
    }
    forget();
    fetch();
    return true;
  }

  /**
   * A 403 {@code insufficient_scope} (MCP authorization 2025-11-25, scope challenge handling): asks
   * a token for the union of the current and the challenged scopes and sends the request again, at
   * most {@link #MAX_STEP_UPS} times per connection and never for a scope already held.
   */
  private boolean insufficientScope(Map<String, String> challenge) {
    if (!"insufficient_scope".equals(challenge.get("error"))) {
      return false; // a plain 403: no token would help
    }
    String asked = challenge.getOrDefault("scope", "");
    String held = oauth.signIn() ? signedInScope() : scope.isEmpty() ? initialScope() : scope;
    String union = union(held, asked);
    boolean futile = asked.isBlank() || union.equals(held) || stepUps >= MAX_STEP_UPS;
    if (futile || (!oauth.signIn() && authServer == null)) {
      throw new InsufficientScope(stillInsufficient(server, asked), "");
    }
    if (oauth.signIn()) {
      // A refresh cannot widen the scope (RFC 6749 section 6): only a new sign-in can. It counts
      // as a step-up once its token is taken (takeNewSignIn), not each time it is asked for.
      signInAsked = true;
      throw new InsufficientScope(
          "MCP server '"
              + server
              + "' needs a person to sign in for a larger scope: run `sophia mcp login "
              + server
              + " --scope '"
              + union
              + "'` (it asks for '"
              + asked
              + "')",
          union);
    }
    stepUps++;
    log.info(
        "MCP server {} asks for the scope '{}'; asking a token for '{}'", server, asked, union);
    scope = union;
    forget();
    fetch();
    return true;
  }

  /** Why a request ends that the server refused for insufficient scope after a re-authorization. */
  static String stillInsufficient(String server, String asked) {
    return "MCP server '"
        + server
        + "' refuses the request for insufficient scope (it asks for '"
        + asked
        + "') even after re-authorizing; give the client that scope at the authorization server";
  }

  /** The scopes of {@code a} and then those of {@code b} not in it, space-separated. */
  static String union(String a, String b) {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
    for (String s : (a + " " + b).strip().split("\\s+")) {
      if (!s.isEmpty()) {
        all.add(s);
      }
    }
    return String.join(" ", all);
  }

  /** The scope of the signed-in token (empty when unknown, e.g. a token stored before it was). */
  private String signedInScope() {
    return current == null ? "" : current.scope();
  }

  private String initialScope() {
    if (oauth.scope() != null && !oauth.scope().isBlank()) {
      return oauth.scope();
    }
    return authServer == null || authServer.scope() == null ? "" : authServer.scope();
  }

  private String fetch() {
    OAuthDiscovery.AuthServer as = authServer;
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    String scope = this.scope.isEmpty() ? initialScope() : this.scope;
    if (!scope.isBlank()) {
      form.put("scope", scope);
    }
    if (as.resource() != null) {
      form.put("resource", as.resource()); // RFC 8707, as the MCP spec asks of discovered servers
    }
    String method =
        key != null ? "private_key_jwt" : TokenRequests.method(null, secret, as.authMethods());
    String credential =
        key == null
            ? secret
            : ClientAssertions.sign(
                oauth.clientId(),
                key,
                as.issuer().isEmpty() ? as.tokenEndpoint() : as.issuer(),
                clock);
    TokenRequests.Tokens t =
        TokenRequests.post(
            http, timeout, server, as.tokenEndpoint(), form, oauth.clientId(), credential, method);
    StoredToken token =
        new StoredToken(
            client,
            t.accessToken(),
            expiresAt(t.expiresIn()),
            "",
            as.tokenEndpoint(),
            as.resource(),
            oauth.clientId(),
            "",
            method,
            t.scope().isEmpty() ? scope : t.scope());
    save(token, t.expiresIn());
    return token.accessToken();
  }

  private String refresh() {
    StoredToken old = current;
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", old.refreshToken());
    if (!old.resource().isEmpty()) {
      form.put("resource", old.resource());
    }
    TokenRequests.Tokens t;
    try {
      t =
          TokenRequests.post(
              http,
              timeout,
              server,
              old.tokenEndpoint(),
              form,
              old.clientId(),
              old.clientSecret().isEmpty() ? secret : old.clientSecret(),
              old.authMethod());
    } catch (McpUnavailable e) {
      forget();
      throw needsSignIn(e.getMessage());
    }
    StoredToken token =
        old.renewed(t.accessToken(), t.refreshToken(), expiresAt(t.expiresIn()), t.scope());
    save(token, t.expiresIn());
    return token.accessToken();
  }

  private void save(StoredToken token, long expiresIn) {
    keep(token);
    store.save(server, token);
    log.info(
        "MCP server {}: new access token from {}{}",
        server,
        token.tokenEndpoint(),
        expiresIn > 0 ? ", expires in " + expiresIn + " s" : "");
  }

  private long expiresAt(long expiresIn) {
    return expiresIn > 0 ? clock.millis() + expiresIn * 1000 : 0;
  }

  private void keep(StoredToken token) {
    current = token;
    if (token.expiresAt() == 0) {
      renewAt = 0;
    } else {
      long left = Math.max(0, token.expiresAt() - clock.millis());
      renewAt = token.expiresAt() - Math.min(MAX_EARLY.toMillis(), left / 10);
    }
  }

  private void forget() {
    current = null;
    store.delete(server);
  }

  /**
   * The server refused a request for insufficient scope (a 403 {@code insufficient_scope}). {@link
   * #signInScope}: the scope a new sign-in would give, empty when none would help (the token holds
   * the scope already, or there were too many re-authorizations). Only that request failed; the
   * connection is fine.
   */
  static final class InsufficientScope extends McpUnavailable {
    private final String signInScope;

    InsufficientScope(String message, String signInScope) {
      super(message);
      this.signInScope = signInScope;
    }

    /** What to sign in for (the union of the held and the asked scopes); empty for nothing. */
    String signInScope() {
      return signInScope;
    }
  }

  private McpUnavailable needsSignIn(String why) {
    return new McpUnavailable(
        "MCP server '"
            + server
            + "' needs a person to sign in: run `sophia mcp login "
            + server
            + "` ("
            + why
            + ")");
  }
}
