package ai.sophia.server.http;

import ai.sophia.config.SophiaConfig;
import ai.sophia.security.ApiKey;
import ai.sophia.security.ApiKeyStore;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Dashboard sign-ins: an API key is exchanged once for a random session id, sent back as an
 * HttpOnly, SameSite=Strict cookie, and a CSRF token the page sends in {@value #CSRF_HEADER} on
 * every change. A session lasts {@code security.session.ttl_minutes}, renewed by each request when
 * sliding but never past {@link #MAX_LIFETIME} after sign-in; it ends at sign-out, and within the
 * key cache's few seconds when its key is revoked. A session the OpenID issuer signed in ({@code
 * oidc:<sub>}) has no key to revoke: it ends at sign-out or expiry. Neither the id nor the key is
 * ever logged.
 */
public final class Sessions {
  /** The cookie that carries the session id. */
  public static final String COOKIE = "sophia_session";

  /** The header that carries the CSRF token on every request that changes something. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  /** The id prefix of identities the OpenID issuer signed in ({@code oidc:<sub>}). */
  private static final String OIDC_PREFIX = "oidc:";

  /** The longest a sliding session lasts, however busy. */
  static final Duration MAX_LIFETIME = Duration.ofHours(12);

  private final SessionStore store;
  private final ApiKeyStore keys;
  private final Duration ttl;
  private final boolean sliding;
  private final InstantSource clock;
  private final Cache<String, Boolean> keyActive;
  private final SecureRandom random = new SecureRandom();

  /** A new session and the id that opens it, to be sent once as a cookie. */
  public record Opened(String id, Session session) {}

  public Sessions(
      SessionStore store,
      ApiKeyStore keys,
      SophiaConfig.Session settings,
      Duration keyCacheTtl,
      InstantSource clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.ttl = Duration.ofMinutes(settings.ttlMinutes());
    this.sliding = settings.sliding();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.keyActive =
        Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(keyCacheTtl).build();
  }

  /** Opens a session for a key that has just authenticated. */
  public Opened open(ApiKey key) {
    Instant now = clock.instant();
    store.removeExpired(now);
    String id = token();
    Session session = new Session(key, token(), now, now.plus(ttl));
    store.put(ApiKeyAuthenticator.digest(id), session);
    return new Opened(id, session);
  }

  /** The live session with this id, renewed when sessions slide; empty when it has ended. */
  public Optional<Session> find(String id) {
    if (id == null || id.isEmpty() || id.length() > 100) {
      return Optional.empty();
    }
    String digest = ApiKeyAuthenticator.digest(id);
    Optional<Session> found = store.find(digest);
    if (found.isEmpty()) {
      return found;
    }
    Session session = found.get();
    Instant now = clock.instant();
    if (!session.expiresAt().isAfter(now) || !active(session.key().id())) {
      store.remove(digest);
      return Optional.empty();
    }
    if (sliding) {
      Instant until = now.plus(ttl);
      Instant cap = session.createdAt().plus(MAX_LIFETIME);
      session = session.renewedUntil(until.isBefore(cap) ? until : cap);
      store.put(digest, session);
    }
    return Optional.of(session);
  }

  /** Signs the session with this id out. */
  public void close(String id) {
    if (id != null && !id.isEmpty() && id.length() <= 100) {
      store.remove(ApiKeyAuthenticator.digest(id));
    }
  }

  /** Ends every session of a key that was just revoked. */
  public void endForKey(String keyId) {
    store.removeForKey(keyId);
    keyActive.invalidate(keyId);
  }

  /** The {@code Set-Cookie} value that hands the browser this session id. */
  public static String cookie(String id, boolean secure) {
    // No Max-Age: the browser drops it when it closes; the server ends it at expiry.
    return COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
  }

  /** The {@code Set-Cookie} value that removes the session cookie. */
  public static String clearingCookie(boolean secure) {
    return COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
  }

  /** Whether {@code presented} is this session's CSRF token, compared in constant time. */
  static boolean csrfMatches(Session session, String presented) {
    return presented != null
        && MessageDigest.isEqual(
            session.csrfToken().getBytes(StandardCharsets.UTF_8),
            presented.getBytes(StandardCharsets.UTF_8));
  }

  private boolean active(String keyId) {
    if (keyId.startsWith(OIDC_PREFIX)) {
      return true; // signed in by the issuer: no key to revoke, the session ends at its expiry
    }
    return keyActive.get(
        keyId, id -> keys.list().stream().anyMatch(k -> k.id().equals(id) && k.active()));
  }

  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
