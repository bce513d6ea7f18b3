package ai.sophia.mcp;

import ai.sophia.mcp.McpConnection.McpUnavailable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds an MCP server's authorization server as the MCP authorization spec (2025-11-25) says: the
 * protected-resource metadata (RFC 9728) named by the 401's {@code WWW-Authenticate
 * resource_metadata}, or at its well-known places (path-based first, then the root); then the
 * authorization server metadata (RFC 8414, or OpenID Connect discovery) of the first server it
 * lists, at the well-known places for an issuer with or without a path. Metadata whose {@code
 * resource} is not the MCP server is refused, and so is authorization server metadata that names no
 * {@code issuer}, one at another origin than the server listed, or one at a path that is neither
 * the listed server's nor above it (RFC 8414 §3.3 asks for the same URL; a path above is let pass,
 * as the MCP SDKs and the conformance suite's servers with a tenant path do). A server without
 * protected-resource metadata, whose 401 names none, is taken as one of the 2025-03-26 spec:
 * authorization server metadata at its origin (its issuer at that origin too), or the default
 * endpoints there. Endpoints must be HTTPS, except on loopback.
 */
final class OAuthDiscovery {
  /**
   * What Sophia needs to know about the authorization server: its issuer (empty when configured
   * rather than discovered), its token endpoint and the client authentication methods it lists, the
   * resource to ask tokens for and the scope to ask for (null when unknown), and for a person's
   * sign-in ({@link McpLogin}) the authorization and registration endpoints (empty when absent) and
   * the PKCE methods it supports, and whether it accepts a client ID metadata document's URL as
   * {@code client_id} ({@code client_id_metadata_document_supported}).
   */
  record AuthServer(
      String issuer,
      String tokenEndpoint,
      List<String> authMethods,
      String resource,
      String scope,
      String authorizationEndpoint,
      String registrationEndpoint,
      List<String> codeChallengeMethods,
      boolean clientIdMetadataDocuments) {
    /** A token endpoint known from the configuration, nothing else. */
    static AuthServer configured(String tokenEndpoint) {
      return new AuthServer("", tokenEndpoint, List.of(), null, null, "", "", List.of(), false);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PARAM =
      Pattern.compile(
          "([A-Za-z_][A-Za-z0-9_-]*)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,]+))");
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final String server;
  private final HttpClient http;
  private final Duration timeout;

  OAuthDiscovery(String server, HttpClient http, Duration timeout) {
    this.server = server;
    this.http = http;
    this.timeout = timeout;
  }

  /** The parameters of a {@code WWW-Authenticate: Bearer …} challenge, by lower-case name. */
  static Map<String, String> challenge(String header) {
    Map<String, String> out = new LinkedHashMap<>();
    if (header == null) {
      return out;
    }
    Matcher m = PARAM.matcher(header);
    while (m.find()) {
      String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
      out.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), value);
    }
    return out;
  }

  /**
   * The authorization server of the MCP server at {@code mcpUrl}, from its 401's challenge.
   *
   * @throws McpUnavailable naming what could not be found
   */
  AuthServer discover(String mcpUrl, String wwwAuthenticate) {
    Map<String, String> challenge = challenge(wwwAuthenticate);
    URI mcp = URI.create(mcpUrl);
    List<String> prmUrls = new ArrayList<>();
    if (challenge.containsKey("resource_metadata")) {
      prmUrls.add(mcp.resolve(challenge.get("resource_metadata")).toString());
    } else {
      String path = mcp.getRawPath() == null ? "" : mcp.getRawPath().replaceAll("/+$", "");
      if (!path.isEmpty()) {
        prmUrls.add(origin(mcp) + "/.well-known/oauth-protected-resource" + path);
      }
      prmUrls.add(origin(mcp) + "/.well-known/oauth-protected-resource");
    }
    Optional<JsonNode> found = firstDocument(prmUrls);
    if (found.isEmpty() && !challenge.containsKey("resource_metadata")) {
      return marchDiscovery(mcp, mcpUrl, challenge.get("scope"));
    }
    JsonNode prm =
        found.orElseThrow(
            () ->
                fail(
                    "no protected-resource metadata (RFC 9728) at "
                        + prmUrls
                        + "; set oauth.token_url"));
    String resource = prm.path("resource").asText("");
    if (!resource.isEmpty() && !covers(resource, mcpUrl)) {
      throw fail(
          "its protected-resource metadata is for "
              + resource
              + ", not for "
              + mcpUrl
              + "; Sophia does not send credentials for another resource");
    }
    JsonNode servers = prm.path("authorization_servers");
    if (!servers.isArray() || servers.isEmpty()) {
      throw fail("its protected-resource metadata lists no authorization_servers");
    }
    URI issuer = URI.create(secure(servers.get(0).asText(), "authorization server"));
    String path = issuer.getRawPath() == null ? "" : issuer.getRawPath().replaceAll("/+$", "");
    List<String> asUrls =
        path.isEmpty()
            ? List.of(
                origin(issuer) + "/.well-known/oauth-authorization-server",
                origin(issuer) + "/.well-known/openid-configuration")
            : List.of(
                origin(issuer) + "/.well-known/oauth-authorization-server" + path,
                origin(issuer) + "/.well-known/openid-configuration" + path,
                origin(issuer) + path + "/.well-known/openid-configuration");
    JsonNode as =
        firstDocument(asUrls)
            .orElseThrow(() -> fail("no authorization server metadata at " + asUrls));
    String scope = challenge.get("scope");
    if (scope == null) {
      List<String> scopes = texts(prm.path("scopes_supported"));
      scope = scopes.isEmpty() ? null : String.join(" ", scopes);
    }
    return fromMetadata(as, issuer, true, resource.isEmpty() ? mcpUrl : resource, scope);
  }

  /**
   * The MCP authorization spec of 2025-03-26, for a server without protected-resource metadata: the
   * authorization server is the MCP server's origin, its metadata (RFC 8414) at the origin's {@code
   * /.well-known/oauth-authorization-server}, or without it the default endpoints {@code
   * /authorize}, {@code /token} and {@code /register} there.
   */
  private AuthServer marchDiscovery(URI mcp, String mcpUrl, String scope) {
    URI base = URI.create(origin(mcp));
    String metadata = base + "/.well-known/oauth-authorization-server";
    Optional<JsonNode> as = firstDocument(List.of(metadata));
    if (as.isPresent()) {
      return fromMetadata(as.get(), base, false, mcpUrl, scope);
    }
    return new AuthServer(
        "",
        secure(base + "/token", "token endpoint"),
        List.of(),
        mcpUrl,
        scope,
        base + "/authorize",
        base + "/register",
        List.of("S256"), // the 2025-03-26 spec requires PKCE of every server
        false);
  }

  /**
   * The endpoints of an authorization server's metadata, once its issuer is verified: at the origin
   * of {@code issuer}, and when {@code listed} (protected-resource metadata named it) at its path
   * or one above it.
   */
  private AuthServer fromMetadata(
      JsonNode as, URI issuer, boolean listed, String resource, String scope) {
    String named = as.path("issuer").asText("");
    if (named.isEmpty()
        || !sameOrigin(named, issuer)
        || (listed && !within(issuer.getRawPath(), URI.create(named.strip()).getRawPath()))) {
      // RFC 8414 §3.3: metadata naming another issuer (or none) may have been planted to send
      // the client's credentials somewhere else. The origin must agree, and the path must be the
      // listed one or above it (another tenant's is refused): the official MCP conformance
      // suite's servers list a tenant path their metadata leaves out, as the MCP SDKs allow.
      throw fail(
          "the authorization server metadata of "
              + issuer
              + (named.isEmpty() ? " names no issuer" : " names another issuer, " + named)
              + "; Sophia does not send credentials to an authorization server it cannot verify");
    }
    String token = as.path("token_endpoint").asText("");
    if (token.isEmpty()) {
      throw fail("the authorization server " + issuer + " has no token_endpoint");
    }
    String authorize = as.path("authorization_endpoint").asText("");
    String register = as.path("registration_endpoint").asText("");
    return new AuthServer(
        named,
        secure(token, "token endpoint"),
        texts(as.path("token_endpoint_auth_methods_supported")),
        resource,
        scope,
        authorize.isEmpty() ? "" : secure(authorize, "authorization endpoint"),
        register.isEmpty() ? "" : secure(register, "registration endpoint"),
        texts(as.path("code_challenge_methods_supported")),
        as.path("client_id_metadata_document_supported").asBoolean(false));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(n -> out.add(n.asText()));
    }
    return List.copyOf(out);
  }

  private Optional<JsonNode> firstDocument(List<String> urls) {
    for (String url : urls) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(secure(url, "metadata")))
                    .timeout(timeout)
                    .header("Accept", "application/json")
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          JsonNode doc = JSON.readTree(r.body());
          if (doc != null && doc.isObject()) {
            return Optional.of(doc);
          }
        }
      } catch (IOException e) {
        // Not there (or not JSON): try the next place.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw fail("interrupted while reading " + url);
      }
    }
    return Optional.empty();
  }

  /** Whether the protected resource {@code resource} covers the MCP endpoint {@code url}. */
  static boolean covers(String resource, String url) {
    String r = canonical(resource);
    String u = canonical(url);
    return u.equals(r) || u.startsWith(r.endsWith("/") ? r : r + "/");
  }

  private static String canonical(String url) {
    URI u = URI.create(url.strip());
    String path = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
    return origin(u) + path;
  }

  /**
   * Whether the path {@code named} is {@code listed} or one of its ancestors, by whole segments.
   */
  static boolean within(String listed, String named) {
    String l = listed == null ? "" : listed.replaceAll("/+$", "");
    String n = named == null ? "" : named.replaceAll("/+$", "");
    return l.equals(n) || n.isEmpty() || l.startsWith(n + "/");
  }

  private static boolean sameOrigin(String url, URI other) {
    try {
      return origin(URI.create(url.strip())).equals(origin(other));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String origin(URI u) {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    int port = u.getPort();
    boolean usual =
        port == -1
            || (scheme.equals("https") && port == 443)
            || (scheme.equals("http") && port == 80);
    return scheme + "://" + host + (usual ? "" : ":" + port);
  }

  /** {@code url} if it is HTTPS, or HTTP on loopback (tests, a local server). */
  String secure(String url, String what) {
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw fail("its " + what + " URL is not a URL");
    }
    boolean https = "https".equalsIgnoreCase(u.getScheme());
    boolean loopbackHttp =
        "http".equalsIgnoreCase(u.getScheme())
            && u.getHost() != null
            && LOOPBACK.contains(u.getHost());
    if (!https && !loopbackHttp) {
      throw fail("its " + what + " " + url + " is not HTTPS");
    }
    return url;
  }

  private McpUnavailable fail(String why) {
    return new McpUnavailable("MCP server '" + server + "' needs OAuth, but " + why);
  }
}
