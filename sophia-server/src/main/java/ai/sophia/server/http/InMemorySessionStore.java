package ai.sophia.server.http;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Sessions in this process's memory: a restart signs everyone out. */
public final class InMemorySessionStore implements SessionStore {
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  @Override
  public void put(String digest, Session session) {
    sessions.put(digest, session);
  }

  @Override
  public Optional<Session> find(String digest) {
    return Optional.ofNullable(sessions.get(digest));
  }

  @Override
  public void remove(String digest) {
    sessions.remove(digest);
  }

  @Override
  public void removeForKey(String keyId) {
    sessions.values().removeIf(s -> s.key().id().equals(keyId));
  }

  @Override
  public void removeExpired(Instant now) {
    sessions.values().removeIf(s -> !s.expiresAt().isAfter(now));
  }
}
