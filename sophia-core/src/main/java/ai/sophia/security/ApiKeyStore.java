package ai.sophia.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** API keys, stored hashed (SHA-256 of a 256-bit random secret). */
public interface ApiKeyStore {
  /** A key that works until {@code expiresAt} (empty: until revoked). */
  IssuedKey create(String name, Role role, Optional<Instant> expiresAt);

  /** A key that works until revoked. */
  default IssuedKey create(String name, Role role) {
    return create(name, role, Optional.empty());
  }

  /**
   * Replaces the active key {@code id} with a new secret of the same name and role (and the same
   * lifetime, counted from now, when the old one had an expiry); the old secret keeps working until
   * {@code oldWorksUntil} (or its own expiry, if sooner), so clients can move over without a gap.
   *
   * @throws ai.sophia.error.NotFoundException when there is no active key {@code id}
   */
  IssuedKey rotate(String id, Instant oldWorksUntil);

  /** All keys, newest first, revoked and expired ones included. */
  List<ApiKey> list();

  /** Revokes the key with this id; false when there is no such active key. */
  boolean revoke(String id);

  /** The active (not revoked, not expired) key whose secret this is. */
  Optional<ApiKey> authenticate(String secret);

  /** Keys neither revoked nor expired. */
  long countActive();
}
