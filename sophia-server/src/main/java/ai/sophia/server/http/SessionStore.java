package ai.sophia.server.http;

import java.time.Instant;
import java.util.Optional;

/**
 * Where sessions live, by the SHA-256 digest of their id (so a dump of the store opens none).
 * {@link InMemorySessionStore} serves one node; a shared store would let several nodes share
 * sign-ins.
 */
public interface SessionStore {
  void put(String digest, Session session);

  Optional<Session> find(String digest);

  void remove(String digest);

  /** Ends every session opened with this key (it was revoked). */
  void removeForKey(String keyId);

  /** Drops the sessions that ended before {@code now}. */
  void removeExpired(Instant now);
}
