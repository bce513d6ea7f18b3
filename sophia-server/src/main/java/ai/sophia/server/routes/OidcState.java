package ai.sophia.server.routes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a sign-in with the issuer must remember between the redirect and the callback (state, nonce,
 * PKCE verifier, when it expires), carried by the browser in the {@value #COOKIE} cookie and signed
 * with HMAC-SHA256, so that it cannot be forged or altered. The key is derived from the client
 * secret when there is one, else from the at-rest encryption key (every node then accepts every
 * other's), else random per process (the callback must then reach the node that began the sign-in).
 */
record OidcState(String state, String nonce, String verifier, Instant expiresAt) {
  static final String COOKIE = "sophia_oidc";
  static final String PATH = "/dashboard/oidc";
  private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

  /** Signs and checks states with one key. */
  static final class Signer {
    private final SecretKeySpec key;

    private Signer(byte[] key) {
      this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    /**
     * A signer keyed by {@code clientSecret} when given, else by {@code sharedKey} (a key every
     * node holds, {@link ai.sophia.security.FieldCipher#derive}), else by 256 random bits.
     */
    static Signer create(Optional<String> clientSecret, Optional<byte[]> sharedKey) {
      if (clientSecret.isEmpty()) {
        if (sharedKey.isPresent()) {
          return new Signer(sharedKey.get());
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return new Signer(random);
      }
      // HMAC as a key derivation: the client secret itself never signs anything.
      Signer fromSecret = new Signer(clientSecret.get().getBytes(StandardCharsets.UTF_8));
      return new Signer(fromSecret.mac("sophia oidc state cookie"));
    }

    /** The cookie value for {@code s}. */
    String seal(OidcState s) {
      String payload =
          String.join(
              "~",
              s.state(),
              s.nonce(),
              s.verifier(),
              Long.toString(s.expiresAt().getEpochSecond()));
      String encoded = ENCODE.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
      return encoded + "." + ENCODE.encodeToString(mac(encoded));
    }

    /**
     * The state a cookie value carries, if it is signed by this key and not expired at {@code now}.
     */
    Optional<OidcState> open(String cookie, Instant now) {
      if (cookie == null || cookie.length() > 1_000) {
        return Optional.empty();
      }
      int dot = cookie.indexOf('.');
      if (dot < 0) {
        return Optional.empty();
      }
      String encoded = cookie.substring(0, dot);
      try {
        if (!MessageDigest.isEqual(mac(encoded), DECODE.decode(cookie.substring(dot + 1)))) {
          return Optional.empty();
        }
        String[] parts = new String(DECODE.decode(encoded), StandardCharsets.UTF_8).split("~");
        if (parts.length != 4) {
          return Optional.empty();
        }
        OidcState s =
            new OidcState(
                parts[0], parts[1], parts[2], Instant.ofEpochSecond(Long.parseLong(parts[3])));
        return s.expiresAt().isAfter(now) ? Optional.of(s) : Optional.empty();
      } catch (IllegalArgumentException e) {
        return Optional.empty(); // not base64, or not a number: not ours
      }
    }

    private byte[] mac(String text) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("every JDK has HmacSHA256", e);
      }
    }
  }

  /** The {@code Set-Cookie} value carrying {@code sealed} for {@code seconds}. */
  static String cookie(String sealed, long seconds, boolean secure) {
    // Lax, not Strict: the callback is a top-level navigation coming from the issuer's site.
    return COOKIE
        + "="
        + sealed
        + "; Path="
        + PATH
        + "; Max-Age="
        + seconds
        + "; HttpOnly; SameSite=Lax"
        + (secure ? "; Secure" : "");
  }
}
