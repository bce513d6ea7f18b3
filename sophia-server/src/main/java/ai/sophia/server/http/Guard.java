package ai.sophia.server.http;

import ai.sophia.error.ForbiddenException;
import ai.sophia.error.RateLimitedException;
import ai.sophia.error.UnauthorizedException;
import ai.sophia.security.ApiKey;
import ai.sophia.security.ApiKeyStore;
import ai.sophia.security.OidcTokens;
import ai.sophia.security.Role;
import io.javalin.http.Context;
import io.javalin.security.RouteRole;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The gate in front of every matched route: authenticates the API key ({@code Authorization:
 * Bearer} or {@code X-API-Key}), or a JWT from the OpenID issuer ({@code Authorization: Bearer},
 * when {@code security.oidc} names one), or, without one, the dashboard's session cookie (whose
 * changes must carry the session's CSRF token), applies the key's rate limit, then checks its role
 * against the route's {@link Access}. Secrets are never logged or echoed; only the key's id travels
 * on.
 */
public final class Guard {
  private static final String KEY_ID = "sophia.api_key_id";
  private static final String ROLE = "sophia.role";
  private static final String SESSION = "sophia.session";
  private static final String KEY = "sophia.api_key";
  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  private final ApiKeyAuthenticator authenticator;
  private final RateLimiter limiter;
  private final Sessions sessions;
  private final Optional<OidcTokens> oidc;

  public Guard(
      ApiKeyStore keys,
      RateLimiter limiter,
      Duration keyCacheTtl,
      Sessions sessions,
      Optional<OidcTokens> oidc) {
    this.authenticator = new ApiKeyAuthenticator(keys, keyCacheTtl);
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.oidc = Objects.requireNonNull(oidc, "oidc");
  }

  /** A before-matched handler. */
  public void check(Context ctx) {
    Access access = access(ctx.routeRoles());
    if (access == Access.PUBLIC) {
      return;
    }
    ApiKey key = authenticate(ctx);
    identify(ctx, key);
    RateLimiter.Decision decision = limiter.acquire(key.id());
    ctx.header("X-RateLimit-Limit", Integer.toString(limiter.burst()));
    ctx.header("X-RateLimit-Remaining", Integer.toString(decision.remaining()));
    if (!decision.allowed()) {
      throw new RateLimitedException(
          "rate limit exceeded for this API key: "
              + limiter.perSecond()
              + " requests per second, bursts of "
              + limiter.burst(),
          decision.retryAfter());
    }
    Role needed = access.minimum().orElseThrow();
    if (!key.role().atLeast(needed)) {
      throw new ForbiddenException(
          "this endpoint needs role "
              + needed
              + " or higher; key '"
              + key.name()
              + "' has role "
              + key.role());
    }
  }

  /**
   * Marks {@code key} as the request's: set by {@link #check}, and by sign-in (a public route whose
   * body carries the key), so that logs and the audit name who acted.
   */
  public static void identify(Context ctx, ApiKey key) {
    ctx.attribute(KEY_ID, key.id());
    ctx.attribute(ROLE, key.role());
    ctx.attribute(KEY, key);
  }

  /** The id (never the secret) of the key that authenticated this request, for the access log. */
  public static Optional<String> keyId(Context ctx) {
    return Optional.ofNullable(ctx.attribute(KEY_ID));
  }

  /** Whether the request's key is an admin's (admins see every key's runs). */
  public static boolean isAdmin(Context ctx) {
    return ctx.attribute(ROLE) == Role.admin;
  }

  /** The key (its public facts) that authenticated this request. */
  public static Optional<ApiKey> key(Context ctx) {
    return Optional.ofNullable(ctx.attribute(KEY));
  }

  /** The session this request was authenticated by, when it came with the cookie. */
  public static Optional<Session> session(Context ctx) {
    return Optional.ofNullable(ctx.attribute(SESSION));
  }

  private ApiKey authenticate(Context ctx) {
    String authorization = ctx.header("Authorization");
    String apiKey = ctx.header("X-API-Key");
    String cookie = ctx.cookie(Sessions.COOKIE);
    if (authorization != null || apiKey != null || cookie == null) {
      return authenticate(authorization, apiKey);
    }
    Session session =
        sessions
            .find(cookie)
            .orElseThrow(
                () ->
                    new UnauthorizedException(
                        "the session has ended (expired, signed out or its key revoked); sign in"
                            + " again"));
    if (!SAFE_METHODS.contains(ctx.method().name())
        && !Sessions.csrfMatches(session, ctx.header(Sessions.CSRF_HEADER))) {
      throw new ForbiddenException(
          "a change made with a session cookie needs the session's CSRF token in the "
              + Sessions.CSRF_HEADER
              + " header");
    }
    ctx.attribute(SESSION, session);
    return session.key();
  }

  /**
   * The key presented in these headers (either may be null).
   *
   * @throws UnauthorizedException when none is presented or it is not valid
   */
  ApiKey authenticate(String authorization, String apiKeyHeader) {
    String secret = presentedSecret(authorization, apiKeyHeader);
    if (authorization != null && oidc.isPresent() && OidcTokens.looksLikeJwt(secret)) {
      return oidc.get().verify(secret);
    }
    return keyFor(secret);
  }

  /**
   * The active key whose secret this is (sign-in).
   *
   * @throws UnauthorizedException when it is not valid
   */
  public ApiKey keyFor(String secret) {
    return authenticator
        .authenticate(secret)
        .orElseThrow(() -> new UnauthorizedException("the API key is not valid or was revoked"));
  }

  /** Takes a request of this key from its rate limit. */
  RateLimiter.Decision acquire(String keyId) {
    return limiter.acquire(keyId);
  }

  int burst() {
    return limiter.burst();
  }

  private static String presentedSecret(String authorization, String header) {
    if (authorization != null) {
      int space = authorization.indexOf(' ');
      String scheme = space < 0 ? authorization : authorization.substring(0, space);
      if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
        throw new UnauthorizedException(
            "the Authorization header must use the Bearer scheme: 'Authorization: Bearer <key>'");
      }
      return space < 0 ? "" : authorization.substring(space + 1).strip();
    }
    if (header != null) {
      return header.strip();
    }
    throw new UnauthorizedException(
        "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
  }

  private static Access access(Set<RouteRole> roles) {
    for (RouteRole role : roles) {
      if (role instanceof Access a) {
        return a;
      }
    }
    return Access.ADMIN;
  }
}
