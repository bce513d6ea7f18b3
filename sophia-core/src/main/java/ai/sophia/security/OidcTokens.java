package ai.sophia.security;

import ai.sophia.config.SophiaConfig;
import ai.sophia.error.UnauthorizedException;
import ai.sophia.error.UnavailableException;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URL;
import java.net.http.HttpClient;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bearer JWTs from an OpenID Connect issuer, beside API keys: the issuer's signing keys come from
 * its discovery document's {@code jwks_uri} (fetched on first use and cached, refreshed when a
 * token names a key not seen yet), and a token is accepted only when it is signed with RS256 or
 * ES256 by one of them ({@code alg: none} and every other algorithm are refused), names the
 * configured issuer and audience, has a subject, and is within its {@code exp} / {@code nbf} with
 * the configured clock skew. The token's roles ({@code roles_claim}, a dotted path such as {@code
 * realm_access.roles} for Keycloak) give the caller the highest Sophia role they name; a token that
 * names none is {@code readonly}; a {@code scope} claim naming {@code sophia:<role>} scopes caps it
 * at the highest one named. Nimbus JOSE + JWT does the cryptography and the checks.
 */
public final class OidcTokens {
  private static final List<Role> BY_RANK =
      List.of(Role.admin, Role.developer, Role.user, Role.readonly);

  private final SophiaConfig.Oidc settings;
  private final HttpClient http;
  private final AtomicReference<DefaultJWTProcessor<SecurityContext>> processor =
      new AtomicReference<>();

  private OidcTokens(SophiaConfig.Oidc settings) {
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The verifier for {@code security.oidc}; empty when no issuer is configured. */
  public static Optional<OidcTokens> create(SophiaConfig.Oidc settings) {
    Objects.requireNonNull(settings, "settings");
    return settings.enabled() ? Optional.of(new OidcTokens(settings)) : Optional.empty();
  }

  /**
   * Whether {@code credential} is shaped like a JWT (three dot-separated parts), not an API key.
   */
  public static boolean looksLikeJwt(String credential) {
    int first = credential.indexOf('.');
    return first > 0 && credential.indexOf('.', first + 1) > first + 1;
  }

  /** The issuer's URL, as the MCP protected-resource metadata names it. */
  public String issuer() {
    return settings.issuer();
  }

  /**
   * The identity a valid token carries: id {@code oidc:<sub>}, its name ({@code
   * preferred_username}, {@code email} or the subject) and its role.
   *
   * @throws UnauthorizedException naming why the token is refused (never echoing it)
   */
  public ApiKey verify(String token) {
    JWTClaimsSet claims = claims(token);
    return identity(claims, role(claims));
  }

  /**
   * The claims of a valid token.
   *
   * @throws UnauthorizedException naming why the token is refused
   */
  JWTClaimsSet claims(String token) {
    try {
      return processor().process(token, null);
    } catch (ParseException e) {
      throw new UnauthorizedException("the bearer token is not a valid JWT");
    } catch (BadJOSEException e) {
      throw new UnauthorizedException("the bearer token was refused: " + e.getMessage());
    } catch (JOSEException e) {
      throw new UnauthorizedException("the bearer token could not be verified: " + e.getMessage());
    }
  }

  /** The identity verified {@code claims} carry, with {@code role}. */
  static ApiKey identity(JWTClaimsSet claims, Role role) {
    String subject = claims.getSubject();
    String name = text(claims.getClaim("preferred_username"));
    if (name.isEmpty()) {
      name = text(claims.getClaim("email"));
    }
    return new ApiKey(
        "oidc:" + subject,
        name.isEmpty() ? subject : name,
        role,
        "oidc",
        claims.getIssueTime() == null ? Instant.EPOCH : claims.getIssueTime().toInstant(),
        Optional.empty());
  }

  /**
   * The caller's role: the highest Sophia role {@code claims} name in {@code roles_claim} ({@code
   * readonly} when none), capped by the {@code sophia:} scopes of its {@code scope} claim when it
   * has any.
   */
  private Role role(JWTClaimsSet claims) {
    Role named = namedRole(claims.toJSONObject(), settings.rolesClaim()).orElse(Role.readonly);
    return capped(named, text(claims.getClaim("scope")));
  }

  /** The highest Sophia role named at {@code rolesClaim} (a dotted path) in {@code claims}. */
  static Optional<Role> namedRole(Map<String, Object> claims, String rolesClaim) {
    Object node = claims;
    for (String part : rolesClaim.split("\\.")) {
      node = node instanceof Map<?, ?> m ? m.get(part) : null;
    }
    List<String> values = new ArrayList<>();
    if (node instanceof Collection<?> c) {
      c.forEach(v -> values.add(String.valueOf(v)));
    } else if (node instanceof String s) {
      values.addAll(List.of(s.split("[ ,]+")));
    }
    for (Role r : BY_RANK) {
      if (values.contains(r.name())) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** {@code role}, no higher than the {@code sophia:} scopes in {@code scopes} grant, if any. */
  static Role capped(Role role, String scopes) {
    return Role.grantedBy(scopes).map(role::atMost).orElse(role);
  }

  static String text(Object value) {
    return value instanceof String s ? s : "";
  }

  /** The processor, built once the issuer's discovery document has been read. */
  private DefaultJWTProcessor<SecurityContext> processor() {
    DefaultJWTProcessor<SecurityContext> p = processor.get();
    if (p != null) {
      return p;
    }
    URL jwks = discoverJwks();
    JWKSource<SecurityContext> keys = JWKSourceBuilder.create(jwks).retrying(true).build();
    DefaultJWTProcessor<SecurityContext> built = new DefaultJWTProcessor<>();
    built.setJWSKeySelector(
        new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
    DefaultJWTClaimsVerifier<SecurityContext> verifier =
        new DefaultJWTClaimsVerifier<>(
            settings.audience(),
            new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
            Set.of("sub", "exp"));
    verifier.setMaxClockSkew(settings.clockSkewSeconds());
    built.setJWTClaimsSetVerifier(verifier);
    processor.compareAndSet(null, built);
    return processor.get();
  }

  private URL discoverJwks() {
    try {
      return OidcDiscovery.fetch(http, settings.issuer()).jwksUri().toURL();
    } catch (java.net.MalformedURLException | IllegalArgumentException e) {
      throw new UnavailableException(
          "the OpenID issuer's discovery document has no usable jwks_uri; check the issuer");
    }
  }
}
