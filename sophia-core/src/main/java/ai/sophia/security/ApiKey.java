package ai.sophia.security;

import java.time.Instant;
import java.util.Optional;

/**
 * An API key's public facts. The secret is never stored, only its hash; {@code prefix} is the first
 * 8 characters after {@code sk-sophia-}, enough to tell keys apart in a listing.
 */
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
