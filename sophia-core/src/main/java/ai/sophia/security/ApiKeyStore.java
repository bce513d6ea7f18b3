package ai.sophia.security;

import java.util.List;
import java.util.Optional;

/** API keys, stored hashed (SHA-256 of a 256-bit random secret). */
public interface ApiKeyStore {
  IssuedKey create(String name, Role role);

  /** All keys, newest first, revoked ones included. */
  List<ApiKey> list();

  /** Revokes the key with this id; false when there is no such active key. */
  boolean revoke(String id);

  /** The active key whose secret this is. */
  Optional<ApiKey> authenticate(String secret);

  long countActive();
}
