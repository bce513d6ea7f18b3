package ai.sophia.mcp;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.mcp.McpConnection.McpUnavailable;
import ai.sophia.mcp.McpTokenStore.StoredToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A person signs Sophia in to an MCP server ({@code oauth.grant: authorization_code}), as the MCP
 * authorization spec (2025-11-25) describes: an unauthenticated request's 401 leads to the
 * authorization server ({@link OAuthDiscovery}) — the 401 to {@code initialize}, or, from a server
 * that lets {@code initialize} through and challenges later, to the {@code tools/list} that follows
 * it. Without a configured {@code client_id}, Sophia uses its client ID metadata document's URL
 * ({@code oauth.client_metadata_url}) as the client id when the authorization server supports such
 * documents, else registers itself (RFC 7591 dynamic client registration, a public client with its
 * loopback redirect); then the authorization code grant with PKCE (S256, RFC 7636), a {@code state}
 * and the server as {@code resource} (RFC 8707). The URL to open is handed to {@code browser} (the
 * CLI prints it); the redirect comes back to a listener on loopback (RFC 8252) that lives only
 * until the code arrives. The tokens (with the refresh token) and a registered client go to the
 * {@link McpTokenStore}, where the server's connection finds them.
 */
public final class McpLogin {
  /** What the sign-in gave: the client used (and whether Sophia registered it) and the token. */
  public record Result(
      String server, String clientId, boolean registered, long expiresAt, boolean refreshable) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PROTOCOL = "2025-11-25";
  private static final String INITIALIZE =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
          + "\""
          + PROTOCOL
          + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"sophia\",\"version\":"
          + "\"login\"}}}";
  private static final String INITIALIZED =
      "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
  private static final String TOOLS_LIST =
      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}";
  private static final java.util.regex.Pattern NEGOTIATED =
      java.util.regex.Pattern.compile("\"protocolVersion\"\\s*:\\s*\"([0-9A-Za-z._-]{1,40})\"");
  private static final String ACCEPT = "application/json, text/event-stream";

  private McpLogin() {}

  /**
   * Signs in to {@code server} (an HTTP server with {@code oauth.grant: authorization_code}),
   * waiting up to {@code wait} for the person to approve. {@code scope}: the scope to ask for (a
   * server's step-up asked for it), empty for {@code oauth.scope} or else what the server names.
   *
   * @throws McpUnavailable naming the step that failed (never a secret or token)
   */
  public static Result login(
      String server,
      SophiaConfig.McpServerSpec spec,
      Map<String, String> env,
      McpTokenStore store,
      String scope,
      Consumer<URI> browser,
      Duration wait) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(spec, "spec");
    SophiaConfig.McpOAuth oauth = spec.oauth();
    if (spec.url() == null || oauth == null || !oauth.signIn()) {
      throw new McpUnavailable(
          "MCP server '"
              + server
              + "' is not set up for a sign-in (oauth.grant: authorization_code)");
    }
    Duration timeout = Duration.ofMillis(spec.timeoutMs() == null ? 30_000 : spec.timeoutMs());
    HttpClient http = OAuthTokens.http(timeout);
    String secret = OAuthTokens.secret(Secrets.create(env), oauth);
    OAuthDiscovery.AuthServer as =
        new OAuthDiscovery(server, http, timeout)
            .discover(spec.url(), challenge(server, spec, http, timeout));
    if (as.authorizationEndpoint().isEmpty()) {
      throw fail(server, "its authorization server has no authorization_endpoint");
    }
    if (!as.codeChallengeMethods().contains("S256")) {
      throw fail(
          server,
          "its authorization server does not list PKCE S256 (code_challenge_methods_supported)");
    }
    Callback callback = Callback.start(oauth.redirectPort() == null ? 0 : oauth.redirectPort());
    try {
      String clientId = oauth.clientId();
      String registeredSecret = "";
      String registeredMethod = null;
      boolean configured = clientId != null && !clientId.isBlank();
      String document = oauth.clientMetadataUrl();
      // MCP authorization 2025-11-25 prefers a client ID metadata document to registering.
      boolean byDocument =
          !configured && document != null && !document.isBlank() && as.clientIdMetadataDocuments();
      boolean registered = !configured && !byDocument;
      if (byDocument) {
        clientId = document;
        registeredMethod = "none"; // the document says so: a public client
      } else if (registered) {
        JsonNode client = register(server, as, callback.redirectUri(), http, timeout);
        clientId = client.path("client_id").asText();
        registeredSecret = client.path("client_secret").asText("");
        registeredMethod = client.path("token_endpoint_auth_method").asText(null);
      }
      String clientSecret = registered ? registeredSecret : secret;
      String method = TokenRequests.method(registeredMethod, clientSecret, as.authMethods());
      String verifier = random(32);
      String state = random(16);
      Map<String, String> query = new LinkedHashMap<>();
      query.put("response_type", "code");
      query.put("client_id", clientId);
      query.put("redirect_uri", callback.redirectUri());
      query.put("code_challenge", challengeOf(verifier));
      query.put("code_challenge_method", "S256");
      query.put("state", state);
      query.put("resource", as.resource());
      String asked =
          !scope.isBlank()
              ? scope
              : oauth.scope() != null && !oauth.scope().isBlank() ? oauth.scope() : as.scope();
      if (asked != null && !asked.isBlank()) {
        query.put("scope", asked);
      }
      String endpoint = as.authorizationEndpoint();
      browser.accept(URI.create(endpoint + (endpoint.contains("?") ? "&" : "?") + form(query)));

      Map<String, String> answer = callback.await(server, wait);
      if (!state.equals(answer.get("state"))) {
        throw fail(server, "the redirect's state does not match the request's; nothing was stored");
      }
      if (answer.containsKey("error")) {
        throw fail(
            server,
            "the authorization server answered "
                + answer.get("error")
                + (answer.containsKey("error_description")
                    ? " (" + answer.get("error_description") + ")"
                    : ""));
      }
      String code = answer.getOrDefault("code", "");
      if (code.isEmpty()) {
        throw fail(server, "the redirect carried no code");
      }
      Map<String, String> tokenForm = new LinkedHashMap<>();
      tokenForm.put("grant_type", "authorization_code");
      tokenForm.put("code", code);
      tokenForm.put("redirect_uri", callback.redirectUri());
      tokenForm.put("code_verifier", verifier);
      tokenForm.put("resource", as.resource());
      TokenRequests.Tokens t =
          TokenRequests.post(
              http, timeout, server, as.tokenEndpoint(), tokenForm, clientId, clientSecret, method);
      long expiresAt = t.expiresIn() > 0 ? Clock.systemUTC().millis() + t.expiresIn() * 1000 : 0;
      store.save(
          server,
          new StoredToken(
              OAuthTokens.fingerprint(oauth, spec.url()),
              t.accessToken(),
              expiresAt,
              t.refreshToken(),
              as.tokenEndpoint(),
              as.resource(),
              clientId,
              registeredSecret,
              method,
              t.scope().isEmpty() && asked != null ? asked : t.scope()));
      return new Result(server, clientId, registered, expiresAt, !t.refreshToken().isEmpty());
    } finally {
      callback.close();
    }
  }

  /**
   * The {@code WWW-Authenticate} of the server's 401 to an unauthenticated {@code initialize}; when
   * the server lets {@code initialize} through, of its 401 to the {@code tools/list} after it (in
   * the session it gave, which is ended after).
   */
  private static String challenge(
      String server, SophiaConfig.McpServerSpec spec, HttpClient http, Duration timeout) {
    HttpResponse<String> r = post(server, http, timeout, spec.url(), ACCEPT, INITIALIZE, Map.of());
    boolean probed = false;
    if (r.statusCode() / 100 == 2) {
      Map<String, String> session = new LinkedHashMap<>();
      java.util.regex.Matcher version = NEGOTIATED.matcher(r.body() == null ? "" : r.body());
      session.put("MCP-Protocol-Version", version.find() ? version.group(1) : PROTOCOL);
      r.headers().firstValue("Mcp-Session-Id").ifPresent(id -> session.put("Mcp-Session-Id", id));
      post(server, http, timeout, spec.url(), ACCEPT, INITIALIZED, session);
      r = post(server, http, timeout, spec.url(), ACCEPT, TOOLS_LIST, session);
      probed = true;
      if (session.containsKey("Mcp-Session-Id")) {
        endSession(http, timeout, spec.url(), session);
      }
    }
    if (r.statusCode() != 401) {
      throw fail(
          server,
          "it answered HTTP "
              + r.statusCode()
              + ", not 401, without a token"
              + (probed ? " (to initialize and to tools/list)" : ""));
    }
    return r.headers().firstValue("WWW-Authenticate").orElse("");
  }

  /** Ends the probe's session (best effort: a server that keeps it lets it expire). */
  private static void endSession(
      HttpClient http, Duration timeout, String url, Map<String, String> session) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).DELETE();
    session.forEach(b::header);
    try {
      http.send(b.build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // nothing to undo: the session was never used
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** RFC 7591: a public client (PKCE, no secret) whose redirect is the loopback listener. */
  private static JsonNode register(
      String server,
      OAuthDiscovery.AuthServer as,
      String redirectUri,
      HttpClient http,
      Duration timeout) {
    if (as.registrationEndpoint().isEmpty()) {
      throw fail(
          server,
          "its authorization server offers no dynamic client registration; set oauth.client_id"
              + " (and oauth.client_secret_env) to a client registered there");
    }
    Map<String, Object> metadata =
        ClientMetadata.of("Sophia (" + server + ")", List.of(redirectUri));
    JsonNode body;
    HttpResponse<String> r;
    try {
      r =
          post(
              server,
              http,
              timeout,
              as.registrationEndpoint(),
              "application/json",
              JSON.writeValueAsString(metadata),
              Map.of());
      body = JSON.readTree(r.body() == null || r.body().isBlank() ? "{}" : r.body());
    } catch (IOException e) {
      throw fail(server, "its registration endpoint answered no JSON");
    }
    if (r.statusCode() / 100 != 2 || body.path("client_id").asText("").isEmpty()) {
      throw fail(
          server,
          "its registration endpoint refused to register Sophia: HTTP "
              + r.statusCode()
              + " "
              + body.path("error").asText("")
              + " "
              + body.path("error_description").asText(""));
    }
    return body;
  }

  private static HttpResponse<String> post(
      String server,
      HttpClient http,
      Duration timeout,
      String url,
      String accept,
      String json,
      Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", accept)
            .POST(HttpRequest.BodyPublishers.ofString(json));
    headers.forEach(b::header);
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw fail(server, url + " could not be reached: " + TokenRequests.unreachable(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(server, "the sign-in was interrupted");
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** RFC 7636 S256: BASE64URL(SHA-256(ASCII(verifier))). */
  static String challengeOf(String verifier) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  private static String form(Map<String, String> params) {
    return params.entrySet().stream()
        .map(e -> TokenRequests.encode(e.getKey()) + "=" + TokenRequests.encode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static McpUnavailable fail(String server, String why) {
    return new McpUnavailable("signing in to MCP server '" + server + "' failed: " + why);
  }

  /** The loopback redirect listener: one {@code GET /callback}, then it is closed. */
  private static final class Callback implements AutoCloseable {
    private final HttpServer http;
    private final CompletableFuture<Map<String, String>> answer = new CompletableFuture<>();

    private Callback(HttpServer http) {
      this.http = http;
    }

    static Callback start(int port) {
      try {
        HttpServer http =
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        Callback c = new Callback(http);
        http.createContext("/callback", c::handle);
        http.start();
        return c;
      } catch (IOException e) {
        throw new McpUnavailable(
            "the sign-in's redirect listener cannot listen on 127.0.0.1:"
                + port
                + ": "
                + e.getMessage());
      }
    }

    String redirectUri() {
      return "http://127.0.0.1:" + http.getAddress().getPort() + "/callback";
    }

    private void handle(HttpExchange ex) throws IOException {
      Map<String, String> params = new LinkedHashMap<>();
      String query = ex.getRequestURI().getRawQuery();
      for (String pair : query == null ? new String[0] : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          params.putIfAbsent(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      boolean ok = params.containsKey("code");
      byte[] page =
          ("<!doctype html><title>Sophia</title><p>"
                  + (ok
                      ? "Sophia has the authorization; you may close this tab."
                      : "The authorization did not complete; see the terminal.")
                  + "</p>")
              .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(ok ? 200 : 400, page.length);
      ex.getResponseBody().write(page);
      ex.close();
      answer.complete(params);
    }

    Map<String, String> await(String server, Duration wait) {
      try {
        return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw fail(server, "no approval came back within " + wait.toSeconds() + " s");
      } catch (ExecutionException e) {
        throw fail(server, "the redirect could not be read");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw fail(server, "the sign-in was interrupted");
      }
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }
}
