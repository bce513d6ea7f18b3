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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OAuth authorization server on loopback (JDK HttpServer) for one confidential client, speaking
 * the real wire formats: the token endpoint of RFC 6749 (client credentials grant, client
 * authentication by HTTP Basic or in the form, JSON answers and errors such as {@code
 * {"error":"invalid_client"}}), token introspection (RFC 7662) for the resource server, and its
 * metadata (RFC 8414). Tokens live {@link #expiresIn} seconds; a test can revoke one.
 */
final class LoopbackAuthServer implements AutoCloseable {
  /** One token request as received: its form, and how the client authenticated. */
  record TokenRequest(Map<String, String> form, String clientAuth) {}

  private record Issued(String clientId, String scope, long expiresAt) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer http;
  private final String clientId;
  private final String clientSecret;
  private final Map<String, Issued> issued = new ConcurrentHashMap<>();
  private final List<TokenRequest> tokenRequests = new CopyOnWriteArrayList<>();
  private final List<String> refusedTokens = new CopyOnWriteArrayList<>();
  private final AtomicInteger serial = new AtomicInteger();
  volatile int expiresIn = 3600;

  private LoopbackAuthServer(String clientId, String clientSecret) throws IOException {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext("/token", this::token);
    http.createContext("/introspect", this::introspect);
    http.createContext("/.well-known/oauth-authorization-server", this::metadata);
    http.start();
  }

  static LoopbackAuthServer start(String clientId, String clientSecret) {
    try {
      return new LoopbackAuthServer(clientId, clientSecret);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  String tokenUrl() {
    return url() + "/token";
  }

  List<TokenRequest> tokenRequests() {
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
    if (!clientId.equals(id) || !clientSecret.equals(secret)) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"loopback\"");
      send(
          ex,
          401,
          Map.of("error", "invalid_client", "error_description", "Client authentication failed"));
      return;
    }
    if (!"client_credentials".equals(form.get("grant_type"))) {
      send(ex, 400, Map.of("error", "unsupported_grant_type"));
      return;
    }
    String token = "at-" + serial.incrementAndGet() + "-" + UUID.randomUUID();
    String scope = form.getOrDefault("scope", "");
    issued.put(token, new Issued(id, scope, System.currentTimeMillis() + expiresIn * 1000L));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", token);
    body.put("token_type", "Bearer");
    body.put("expires_in", expiresIn);
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
    send(
        ex,
        200,
        Map.of(
            "issuer", url(),
            "token_endpoint", tokenUrl(),
            "introspection_endpoint", url() + "/introspect",
            "grant_types_supported", List.of("client_credentials"),
            "token_endpoint_auth_methods_supported", List.of("client_secret_basic")));
  }

  private static Map<String, String> form(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> out = new LinkedHashMap<>();
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
