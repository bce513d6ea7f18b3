package ai.sophia.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.health.HealthChecks;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer JWTs from an OpenID Connect issuer — a loopback issuer here, speaking OIDC discovery and
 * JWKS with keys made by the test — accepted beside API keys, with every forged or stale token
 * refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcTest {
  private static final String AUDIENCE = "https://sophia.test";
  @TempDir static Path dir;
  private HttpServer issuerServer;
  private String issuer;
  private RSAKey rsa;
  private ECKey ec;
  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    issuerServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    issuer = "http://127.0.0.1:" + issuerServer.getAddress().getPort() + "/realms/test";
    String discovery = "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/certs\"}";
    String jwks = new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString();
    serve("/realms/test/.well-known/openid-configuration", discovery);
    serve("/realms/test/certs", jwks);
    issuerServer.start();
    String yaml =
        "security:\n  oidc:\n    issuer: \""
            + issuer
            + "\"\n    audience: \""
            + AUDIENCE
            + "\"\n    roles_claim: realm_access.roles\n";
    server =
        TestServer.create(dir, Map.of(), yaml, new RefusingResearcher(), HealthChecks.create());
  }

  private void serve(String path, String body) {
    issuerServer.createContext(
        path,
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
  }

  @AfterAll
  void stop() {
    server.close();
    issuerServer.stop(0);
  }

  private JWTClaimsSet.Builder claims(String... roles) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(AUDIENCE)
        .subject("user-42")
        .claim("preferred_username", "ada")
        .claim("realm_access", Map.of("roles", List.of(roles)))
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  private String rs256(JWTClaimsSet claims, RSAKey key) throws Exception {
    SignedJWT jwt =
        new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private HttpResponse<String> agents(String token) {
    return server.get("/api/v1/agents", "Authorization", "Bearer " + token);
  }

  @Test
  void validTokens_rs256AndEs256_acceptedWithTheirRole() throws Exception {
    String developer = rs256(claims("developer", "offline_access").build(), rsa);
    assertThat(agents(developer).statusCode()).isEqualTo(200);
    // A developer may not manage keys: the token's role is applied like a key's.
    HttpResponse<String> keys = server.get("/api/v1/keys", "Authorization", "Bearer " + developer);
    assertThat(keys.statusCode()).isEqualTo(403);
    assertThat(keys.body()).contains("ada").contains("developer");

    SignedJWT es =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(),
            claims("admin").build());
    es.sign(new ECDSASigner(ec));
    assertThat(server.get("/api/v1/keys", "Authorization", "Bearer " + es.serialize()).statusCode())
        .isEqualTo(200);
    // API keys still work beside tokens.
    assertThat(agents(server.key(ai.sophia.security.Role.readonly)).statusCode()).isEqualTo(200);
  }

  @Test
  void forgedOrStaleTokens_refused401_namingWhyNeverEchoingThem() throws Exception {
    Instant past = Instant.now().minusSeconds(3600);
    RSAKey other = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    String good = rs256(claims("admin").build(), rsa);
    String[] parts = good.split("\\.");
    String promoted =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                claims("admin")
                    .subject("someone-else")
                    .build()
                    .toString()
                    .getBytes(StandardCharsets.UTF_8));
    Map<String, String> tokens =
        Map.of(
            "expired",
                rs256(
                    claims("admin")
                        .issueTime(Date.from(past))
                        .expirationTime(Date.from(past.plusSeconds(60)))
                        .build(),
                    rsa),
            "wrong audience", rs256(claims("admin").audience("https://elsewhere").build(), rsa),
            "wrong issuer", rs256(claims("admin").issuer("https://evil.example").build(), rsa),
            "alg none", new PlainJWT(claims("admin").build()).serialize(),
            "re-signed with another key", rs256(claims("admin").build(), other),
            "payload swapped under the signature", parts[0] + "." + promoted + "." + parts[2],
            "no subject", rs256(claims("admin").subject(null).build(), rsa));
    tokens.forEach(
        (what, token) -> {
          HttpResponse<String> r = agents(token);
          assertThat(r.statusCode()).as(what).isEqualTo(401);
          assertThat(r.headers().firstValue("WWW-Authenticate")).as(what).isPresent();
          assertThat(r.body()).as(what).doesNotContain(token).doesNotContain("Exception");
        });
    assertThat(agents(tokens.get("expired")).body()).contains("xpired");
  }

  @Test
  void mcp_acceptsTheIssuersTokens_andItsMetadataNamesTheIssuer() throws Exception {
    String token = rs256(claims("user").build(), rsa);
    HttpResponse<String> init =
        server.post(
            "/mcp",
            "application/json",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
            "Authorization",
            "Bearer " + token,
            "Accept",
            "application/json, text/event-stream");
    assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
    HttpResponse<String> forged =
        server.post(
            "/mcp",
            "application/json",
            "{}",
            "Authorization",
            "Bearer " + rs256(claims("user").audience("x").build(), rsa));
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(server.get("/.well-known/oauth-protected-resource").body()).contains(issuer);
  }
}
