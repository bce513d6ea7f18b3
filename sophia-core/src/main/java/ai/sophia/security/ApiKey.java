package ai.sophia.security;

import java.time.Instant;
import java.util.Optional;

/** An API key's public facts. The secret is never stored, only its hash. */
public record ApiKey(
    String id,
    String name,
    Role role,
    String prefix,
    Instant createdAt,
    Optional<Instant> revokedAt) {
  public boolean active() {
    return revokedAt.isEmpty();
  }
}
