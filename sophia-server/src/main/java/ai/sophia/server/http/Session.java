package ai.sophia.server.http;

import ai.sophia.security.ApiKey;
import java.time.Instant;
import java.util.Objects;

/**
 * A dashboard sign-in: the key it was opened with (its public facts, never the secret), the CSRF
 * token every change must carry, and when it ends. The session id itself is not part of it: the
 * store holds only the id's digest.
 */
public record Session(ApiKey key, String csrfToken, Instant createdAt, Instant expiresAt) {
  public Session {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(csrfToken, "csrfToken");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  Session renewedUntil(Instant until) {
    return new Session(key, csrfToken, createdAt, until);
  }
}
