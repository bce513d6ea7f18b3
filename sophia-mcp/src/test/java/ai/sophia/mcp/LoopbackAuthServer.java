package ai.sophia.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OAuth authorization server on loopback (JDK HttpServer) for one confidential client and the
 * public clients that register, speaking the real wire formats: the token endpoint of RFC 6749
 * (client credentials, authorization code with PKCE S256 as RFC 7636 checks it, and refresh token
 * grants; client authentication by HTTP Basic or in the form; JSON answers and errors such as
 * {@code {"error":"invalid_client"}}), an authorization endpoint whose person approves at once (a
 * 302 to the redirect URI with code and state), dynamic client registration (RFC 7591), token
 * introspection (RFC 7662) for the resource server, and its metadata (RFC 8414). Access tokens live
 * {@link #expiresIn} seconds; a test can revoke any token.
 */
public final class LoopbackAuthServer implements AutoCloseable {
  /** One token request as received: its form, and how the client authenticated. */
  public record TokenRequest(Map<String, String> form, String clientAuth) {}

  private record Issued(String clientId, String scope, long expiresAt) {}

  private record Code(String clientId, String redirectUri, String challenge, String resource) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer http;
  private final String clientId;
  private final String clientSecret;
  private final Map<String, Issued> issued = new ConcurrentHashMap<>();
  private final List<TokenRequest> tokenRequests = new CopyOnWriteArrayList<>();
  private final List<String> refusedTokens = new CopyOnWriteArrayList<>();
  private final AtomicInteger serial = new AtomicInteger();
  private final Set<String> publicClients = ConcurrentHashMap.newKeySet();
  private final Map<String, Code> codes = new ConcurrentHashMap<>();
  private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
  volatile int expiresIn = 3600;

  /** The issuer its metadata names; {@code null} for its own URL, as RFC 8414 requires. */
  volatile String metadataIssuer;

  /** Whether it serves no metadata (404), as a 2025-03-26 server may: clients use the defaults. */
  volatile boolean withoutMetadata;

  /**
   * Whether its metadata says {@code client_id_metadata_document_supported}; it then takes an https
   * {@code client_id} as a public client (a real one would fetch the document there).
   */
  volatile boolean clientIdMetadataDocuments;

  private LoopbackAuthServer(String clientId, String clientSecret) throws IOException {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext("/token", this::token);
    http.createContext("/introspect", this::introspect);
    http.createContext("/authorize", this::authorize);
    http.createContext("/register", this::register);
    http.createContext("/.well-known/oauth-authorization-server", this::metadata);
    http.start();
  }

  public static LoopbackAuthServer start(String clientId, String clientSecret) {
    try {
      return new LoopbackAuthServer(clientId, clientSecret);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  String tokenUrl() {
    return url() + "/token";
  }

  public List<TokenRequest> tokenRequests() {
    return List.copyOf(tokenRequests);
  }

  /** The tokens issued so far, oldest first. */
  List<String> tokens() {
    List<String> out = new ArrayList<>(issued.keySet());
    out.sort((a, b) -> Integer.compare(serialOf(a), serialOf(b)));
    return out;
  }

  /** Tokens the resource server asked about that were not (or no longer) active. */
  List<String> refusedTokens() {
    return List.copyOf(refusedTokens);
  }

  void revoke(String token) {
    issued.remove(token);
    refreshTokens.remove(token);
  }

  /** The refresh tokens issued and not yet used or revoked. */
  List<String> refreshTokens() {
    return List.copyOf(refreshTokens.keySet());
  }

  /** The clients that registered themselves. */
  public Set<String> registeredClients() {
    return Set.copyOf(publicClients);
  }

  private void authorize(HttpExchange ex) throws IOException {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    String code = "code-" + UUID.randomUUID();
    if ("S256".equals(q.get("code_challenge_method")) && q.containsKey("code_challenge")) {
      codes.put(
          code,
          new Code(
              q.get("client_id"),
              q.get("redirect_uri"),
              q.get("code_challenge"),
              q.get("resource")));
    }
    String location =
        q.get("redirect_uri")
            + "?code="
            + code
            + "&state="
            + java.net.URLEncoder.encode(q.getOrDefault("state", ""), StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Location", location);
    ex.sendResponseHeaders(302, -1);
    ex.close();
  }

  private void register(HttpExchange ex) throws IOException {
    var metadata = JSON.readTree(ex.getRequestBody().readAllBytes());
    String id = "registered-" + serial.incrementAndGet();
    publicClients.add(id);
    send(
        ex,
        201,
        Map.of(
            "client_id",
            id,
            "client_name",
            metadata.path("client_name").asText(""),
            "redirect_uris",
            JSON.convertValue(metadata.path("redirect_uris"), List.class),
            "token_endpoint_auth_method",
            "none"));
  }

  private static int serialOf(String token) {
    return Integer.parseInt(token.split("-")[1]);
  }

  private void token(HttpExchange ex) throws IOException {
    Map<String, String> form = form(ex);
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String id = form.get("client_id");
    String secret = form.get("client_secret");
    String method = secret != null ? "client_secret_post" : "none";
    if (auth != null && auth.startsWith("Basic ")) {
      String pair =
          new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
      int colon = pair.indexOf(':');
      id = URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
      secret = URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
      method = "client_secret_basic";
    }
    tokenRequests.add(new TokenRequest(form, method));
    boolean publicClient =
        id != null
            && secret == null
            && (publicClients.contains(id)
                || (clientIdMetadataDocuments && id.startsWith("https://")));
    if (!publicClient && (!clientId.equals(id) || !clientSecret.equals(secret))) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"loopback\"");
      send(
          ex,
          401,
          Map.of("error", "invalid_client", "error_description", "Client authentication failed"));
      return;
    }
    String grant = form.getOrDefault("grant_type", "");
    String refresh = null;
    switch (grant) {
      case "client_credentials" -> {}
      case "authorization_code" -> {
        Code code = codes.remove(form.getOrDefault("code", ""));
        if (code == null
            || !code.clientId().equals(id)
            || !code.redirectUri().equals(form.get("redirect_uri"))
            || !code.challenge().equals(s256(form.getOrDefault("code_verifier", "")))) {
          send(
              ex,
              400,
              Map.of("error", "invalid_grant", "error_description", "bad code or verifier"));
          return;
        }
        refresh = "rt-" + UUID.randomUUID();
      }
      case "refresh_token" -> {
        String owner = refreshTokens.remove(form.getOrDefault("refresh_token", ""));
        if (owner == null || !owner.equals(id)) {
          send(
              ex,
              400,
              Map.of("error", "invalid_grant", "error_description", "refresh token revoked"));
          return;
        }
        refresh = "rt-" + UUID.randomUUID(); // rotated, as OAuth 2.1 asks of public clients
      }
      default -> {
        send(ex, 400, Map.of("error", "unsupported_grant_type"));
        return;
      }
    }
    String token = "at-" + serial.incrementAndGet() + "-" + UUID.randomUUID();
    String scope = form.getOrDefault("scope", "");
    issued.put(token, new Issued(id, scope, System.currentTimeMillis() + expiresIn * 1000L));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", token);
    body.put("token_type", "Bearer");
    body.put("expires_in", expiresIn);
    if (refresh != null) {
      refreshTokens.put(refresh, id);
      body.put("refresh_token", refresh);
    }
    if (!scope.isEmpty()) {
      body.put("scope", scope);
    }
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    send(ex, 200, body);
  }

  private void introspect(HttpExchange ex) throws IOException {
    String token = form(ex).getOrDefault("token", "");
    Issued i = issued.get(token);
    if (i == null || i.expiresAt() < System.currentTimeMillis()) {
      refusedTokens.add(token);
      send(ex, 200, Map.of("active", false));
      return;
    }
    send(
        ex,
        200,
        Map.of(
            "active",
            true,
            "client_id",
            i.clientId(),
            "scope",
            i.scope(),
            "token_type",
            "Bearer",
            "exp",
            i.expiresAt() / 1000));
  }

  private void metadata(HttpExchange ex) throws IOException {
    if (withoutMetadata) {
      send(ex, 404, Map.of("error", "not_found"));
      return;
    }
    send(
        ex,
        200,
        Map.of(
            "issuer",
            metadataIssuer == null ? url() : metadataIssuer,
            "token_endpoint",
            tokenUrl(),
            "introspection_endpoint",
            url() + "/introspect",
            "authorization_endpoint",
            url() + "/authorize",
            "registration_endpoint",
            url() + "/register",
            "code_challenge_methods_supported",
            List.of("S256"),
            "grant_types_supported",
            List.of("client_credentials", "authorization_code", "refresh_token"),
            "token_endpoint_auth_methods_supported",
            List.of("client_secret_basic", "none"),
            "client_id_metadata_document_supported",
            clientIdMetadataDocuments));
  }

  /** RFC 7636 S256, computed here rather than by the code under test. */
  private static String s256(String verifier) {
    try {
      byte[] hash =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> form(HttpExchange ex) throws IOException {
    return query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static Map<String, String> query(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    if (body == null) {
      return out;
    }
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      out.put(
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
