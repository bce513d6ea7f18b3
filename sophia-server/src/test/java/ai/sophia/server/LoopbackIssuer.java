package ai.sophia.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * An OpenID issuer on loopback speaking the real wire format, with keys made by the test:
 * discovery, JWKS, an authorization endpoint that signs the user in at once and sends the browser
 * back to the registered redirect URI with a code and the state, and a token endpoint that checks
 * the client secret (HTTP Basic), spends each code once, checks the redirect URI and the PKCE
 * verifier against the S256 challenge, and answers with an RS256 ID token carrying the nonce.
 */
final class LoopbackIssuer implements AutoCloseable {
  static final String CLIENT_ID = "sophia-dashboard";
  static final String CLIENT_SECRET = "s3cret-of-the-client";

  final String issuer;
  private final String redirect;
  private final boolean confidential;
  private final HttpServer http;
  private final RSAKey rsa;
  private final Map<String, Map<String, String>> grants = new ConcurrentHashMap<>();
  private final AtomicReference<Consumer<JWTClaimsSet.Builder>> tweak =
      new AtomicReference<>(b -> {});
  private final AtomicReference<String> browserGoesTo = new AtomicReference<>();
  private final AtomicReference<String> accessToken = new AtomicReference<>("opaque-access");
  private final AtomicReference<String> grantedScope = new AtomicReference<>("");

  private LoopbackIssuer(String redirect, boolean confidential) throws IOException, JOSEException {
    this.redirect = redirect;
    this.confidential = confidential;
    this.rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    this.issuer = "http://127.0.0.1:" + http.getAddress().getPort() + "/realms/test";
    String discovery =
        "{\"issuer\":\""
            + issuer
            + "\",\"jwks_uri\":\""
            + issuer
            + "/certs\",\"authorization_endpoint\":\""
            + issuer
            + "/auth\",\"token_endpoint\":\""
            + issuer
            + "/token\"}";
    String jwks = new JWKSet(List.of(rsa.toPublicJWK())).toString();
    http.createContext(
        "/realms/test/.well-known/openid-configuration", x -> answer(x, 200, discovery));
    http.createContext("/realms/test/certs", x -> answer(x, 200, jwks));
    http.createContext("/realms/test/auth", this::authorize);
    http.createContext("/realms/test/token", this::token);
    http.start();
  }

  /** An issuer for a confidential client registered with this redirect URI. */
  static LoopbackIssuer start(String redirect) {
    return start(redirect, true);
  }

  /**
   * An issuer for a client registered with this redirect URI: confidential (its secret in HTTP
   * Basic) or public (its id in the form, no secret, PKCE alone binding the code).
   */
  static LoopbackIssuer start(String redirect, boolean confidential) {
    try {
      return new LoopbackIssuer(redirect, confidential);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The {@code sophia.yaml} that trusts this issuer for tokens naming {@code audience} and signs
   * the dashboard in with it, its client secret in {@link #env}.
   */
  String sophiaYaml(String audience) {
    return "security:\n  oidc:\n    issuer: \""
        + issuer
        + "\"\n    audience: \""
        + audience
        + "\"\n    roles_claim: realm_access.roles\n    client_id: "
        + CLIENT_ID
        + "\n    redirect_uri: \""
        + redirect
        + "\"\n";
  }

  /** A Sophia in {@code dir} that trusts this issuer (tokens for {@code audience}, sign-in). */
  TestServer sophia(Path dir, String audience, ai.sophia.research.Researcher researcher) {
    return TestServer.create(
        dir, env(), sophiaYaml(audience), researcher, ai.sophia.health.HealthChecks.create());
  }

  /** The environment that gives Sophia the client secret (none for a public client). */
  Map<String, String> env() {
    return confidential ? Map.of("SOPHIA_OIDC_CLIENT_SECRET", CLIENT_SECRET) : Map.of();
  }

  /** How the next ID tokens differ from a right one ({@code b -> {}}: not at all). */
  void tweak(Consumer<JWTClaimsSet.Builder> change) {
    tweak.set(change);
  }

  /**
   * What the token endpoint answers beside the ID token: this access token ({@code opaque-access}
   * by default) and, unless empty, this granted {@code scope}.
   */
  void answerWith(String access, String scope) {
    accessToken.set(access);
    grantedScope.set(scope);
  }

  /**
   * Where the browser is really sent instead of the registered redirect URI's origin, as a reverse
   * proxy would map Sophia's public URL to the port it listens on.
   */
  void sendBrowserTo(String origin) {
    browserGoesTo.set(origin);
  }

  /**
   * An access token of this issuer for {@code audience}, naming {@code roles} and, unless null,
   * with this {@code scope} claim.
   */
  String bearer(String audience, String scope, String... roles) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(audience)
            .subject("svc-7")
            .claim("realm_access", Map.of("roles", List.of(roles)))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)));
    if (scope != null) {
      b.claim("scope", scope);
    }
    return sign(b.build());
  }

  /** {@code claims} signed by the issuer's key (RS256). */
  String sign(JWTClaimsSet claims) {
    try {
      SignedJWT jwt =
          new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), claims);
      jwt.sign(new RSASSASigner(rsa));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private void authorize(HttpExchange exchange) throws IOException {
    Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
    if (!CLIENT_ID.equals(q.get("client_id")) || !redirect.equals(q.get("redirect_uri"))) {
      answer(exchange, 400, "{\"error\":\"invalid_client\"}");
      return;
    }
    String code = UUID.randomUUID().toString();
    grants.put(code, q);
    String target = redirect;
    String origin = browserGoesTo.get();
    if (origin != null) {
      target = origin + java.net.URI.create(redirect).getRawPath();
    }
    String back =
        target
            + "?code="
            + code
            + "&state="
            + URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Location", back);
    exchange.sendResponseHeaders(302, -1);
    exchange.close();
  }

  private void token(HttpExchange exchange) throws IOException {
    Map<String, String> form =
        query(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    String presented = exchange.getRequestHeaders().getFirst("Authorization");
    boolean authenticated =
        confidential
            ? basic.equals(presented)
            : presented == null && CLIENT_ID.equals(form.get("client_id"));
    if (!authenticated) {
      answer(exchange, 401, "{\"error\":\"invalid_client\"}");
      return;
    }
    Map<String, String> grant = grants.remove(String.valueOf(form.get("code")));
    if (grant == null
        || !"authorization_code".equals(form.get("grant_type"))
        || !redirect.equals(form.get("redirect_uri"))) {
      answer(exchange, 400, "{\"error\":\"invalid_grant\"}");
      return;
    }
    if (!"S256".equals(grant.get("code_challenge_method"))
        || !s256(String.valueOf(form.get("code_verifier"))).equals(grant.get("code_challenge"))) {
      answer(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"PKCE\"}");
      return;
    }
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .audience(CLIENT_ID)
            .subject("user-42")
            .claim("preferred_username", "ada")
            .claim("nonce", grant.get("nonce"))
            .claim("realm_access", Map.of("roles", List.of("developer")))
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)));
    tweak.get().accept(claims);
    answer(
        exchange,
        200,
        "{\"access_token\":\""
            + accessToken.get()
            + "\",\"token_type\":\"Bearer\",\"expires_in\":300,"
            + (grantedScope.get().isEmpty() ? "" : "\"scope\":\"" + grantedScope.get() + "\",")
            + "\"id_token\":\""
            + sign(claims.build())
            + "\"}");
  }

  static String s256(String verifier) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              MessageDigest.getInstance("SHA-256")
                  .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
