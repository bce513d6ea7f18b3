package ai.sophia.server.http;

import ai.sophia.error.UnavailableException;
import ai.sophia.redis.Redis;
import ai.sophia.security.ApiKey;
import ai.sophia.security.Role;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.SetArgs;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dashboard sessions in the Redis every node shares, so a sign-in on one node is valid on all: each
 * under {@code session:<digest of its id>} (never the id itself) until it expires, Redis dropping
 * it then, and each key's session digests in a set {@code session-key:<key id>} so that revoking
 * the key ends them all. While Redis is gone, signing in and using a session fail with a 503 that
 * says so (API keys keep working); sessions are not moved to one node's memory, where a sign-out or
 * a revocation would not reach the other nodes.
 */
public final class RedisSessionStore implements SessionStore {
  private static final Logger log = LoggerFactory.getLogger(RedisSessionStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long a key's set of sessions outlives its last change: past any session's end. */
  private static final Duration KEY_SET_TTL = Sessions.MAX_LIFETIME.plusHours(1);

  private final Redis redis;

  public RedisSessionStore(Redis redis) {
    this.redis = Objects.requireNonNull(redis, "redis");
  }

  /** A session as stored: the key's public facts, the CSRF token and the two instants. */
  record Stored(
      String keyId,
      String keyName,
      String role,
      String keyPrefix,
      String keyCreatedAt,
      String csrfToken,
      String createdAt,
      String expiresAt) {
    static Stored of(Session s) {
      ApiKey k = s.key();
      return new Stored(
          k.id(),
          k.name(),
          k.role().name(),
          k.prefix(),
          k.createdAt().toString(),
          s.csrfToken(),
          s.createdAt().toString(),
          s.expiresAt().toString());
    }

    Session session() {
      ApiKey key =
          new ApiKey(
              keyId,
              keyName,
              Role.valueOf(role),
              keyPrefix,
              Instant.parse(keyCreatedAt),
              Optional.empty());
      return new Session(key, csrfToken, Instant.parse(createdAt), Instant.parse(expiresAt));
    }
  }

  @Override
  public void put(String digest, Session session) {
    byte[] value;
    try {
      value = JSON.writeValueAsBytes(Stored.of(session));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a session did not serialize", e);
    }
    String byKey = redis.key("session-key", session.key().id());
    call(
        c -> {
          c.set(
              redis.key("session", digest),
              value,
              SetArgs.Builder.pxAt(session.expiresAt().toEpochMilli()));
          c.sadd(byKey, digest.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          return c.pexpire(byKey, KEY_SET_TTL);
        });
  }

  @Override
  public Optional<Session> find(String digest) {
    byte[] value = call(c -> c.get(redis.key("session", digest)));
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(value, Stored.class).session());
    } catch (IOException | RuntimeException e) {
      // Written by another version, or damaged: the session is over, not the request.
      log.warn("dropping an unreadable session record: {}", e.getClass().getSimpleName());
      remove(digest);
      return Optional.empty();
    }
  }

  @Override
  public void remove(String digest) {
    call(c -> c.del(redis.key("session", digest)));
  }

  @Override
  public void removeForKey(String keyId) {
    String byKey = redis.key("session-key", keyId);
    try {
      redis.call(
          c -> {
            List<String> sessions =
                c.smembers(byKey).stream()
                    .map(
                        d ->
                            redis.key(
                                "session",
                                new String(d, java.nio.charset.StandardCharsets.US_ASCII)))
                    .toList();
            if (!sessions.isEmpty()) {
              c.del(sessions.toArray(String[]::new));
            }
            return c.del(byKey);
          });
    } catch (UnavailableException e) {
      // The key is revoked already, and every node refuses a revoked key's sessions (Sessions).
      log.warn(
          "the sessions of revoked key {} stay in Redis until they expire: {}",
          keyId,
          e.getMessage());
    }
  }

  @Override
  public void removeExpired(Instant now) {
    // Redis drops each session when it expires.
  }

  private <T> T call(
      java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, byte[]>, T>
          command) {
    try {
      return redis.call(command);
    } catch (UnavailableException e) {
      throw new UnavailableException(
          "dashboard sign-in is unavailable while the session store is unreachable ("
              + e.getMessage()
              + "); API keys still work");
    }
  }
}
