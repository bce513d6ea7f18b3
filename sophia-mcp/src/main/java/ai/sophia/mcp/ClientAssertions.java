package ai.sophia.mcp;

import ai.sophia.mcp.McpConnection.McpUnavailable;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

/**
 * {@code private_key_jwt} client authentication (RFC 7523 section 2.2, OpenID Connect Core 9): a
 * short-lived JWT the client signs with its private key ({@code iss} and {@code sub} its id, {@code
 * aud} the authorization server, a fresh {@code jti}), signed by nimbus-jose-jwt. Keys are PKCS#8
 * PEM, EC (ES256/384/512 by curve) or RSA (RS256).
 */
final class ClientAssertions {
  private static final Duration LIFETIME = Duration.ofMinutes(1);

  private ClientAssertions() {}

  /**
   * The private key in {@code pem} ({@code -----BEGIN PRIVATE KEY-----}).
   *
   * @throws McpUnavailable when it is not a PKCS#8 EC or RSA key (the key never in the message)
   */
  static PrivateKey parse(String server, String pem) {
    String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw unreadable(server);
    }
    for (String algorithm : new String[] {"EC", "RSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // Not this kind of key: try the next.
      }
    }
    throw unreadable(server);
  }

  /** A signed assertion for {@code clientId} to present to {@code audience}. */
  static String sign(String clientId, PrivateKey key, String audience, Clock clock) {
    try {
      JWSSigner signer;
      JWSAlgorithm alg;
      if (key instanceof ECPrivateKey ec) {
        int bits = ec.getParams().getCurve().getField().getFieldSize();
        alg =
            bits <= 256
                ? JWSAlgorithm.ES256
                : bits <= 384 ? JWSAlgorithm.ES384 : JWSAlgorithm.ES512;
        signer = new ECDSASigner(ec);
      } else {
        alg = JWSAlgorithm.RS256;
        signer = new RSASSASigner(key);
      }
      Date now = Date.from(clock.instant());
      JWTClaimsSet claims =
          new JWTClaimsSet.Builder()
              .issuer(clientId)
              .subject(clientId)
              .audience(audience)
              .jwtID(UUID.randomUUID().toString())
              .issueTime(now)
              .expirationTime(Date.from(clock.instant().plus(LIFETIME)))
              .build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a client assertion failed: " + e.getMessage(), e);
    }
  }

  private static McpUnavailable unreadable(String server) {
    return new McpUnavailable(
        "MCP server '"
            + server
            + "': oauth.private_key_env does not hold a PKCS#8 PEM private key (EC or RSA)");
  }
}
