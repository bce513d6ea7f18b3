package ai.sophia.security;

import java.time.Instant;
import java.util.Optional;

/**
 * An API key's public facts. The secret is never stored, only its hash; {@code prefix} is the first
 * 8 characters after {@code sk-sophia-}, enough to tell keys apart in a listing. A key with {@code
 * expiresAt} stops working then (a rotated key's old secret, or a key made to last a while).
 */
public record ApiKey(
    String id,
    String name,
    Role role,
    String prefix,
    Instant createdAt,
    Optional<Instant> revokedAt,
    Optional<Instant> expiresAt) {

  /** A key that does not expire. */
  public ApiKey(
      String id,
      String name,
      Role role,
      String prefix,
      Instant createdAt,
      Optional<Instant> revokedAt) {
    this(id, name, role, prefix, createdAt, revokedAt, Optional.empty());
  }

  /** Not revoked and not expired now. */
  public boolean active() {
    return activeAt(Instant.now());
  }

  /** Not revoked and not expired at {@code now}. */
  public boolean activeAt(Instant now) {
    return revokedAt.isEmpty() && expiresAt.map(now::isBefore).orElse(true);
  }
}
