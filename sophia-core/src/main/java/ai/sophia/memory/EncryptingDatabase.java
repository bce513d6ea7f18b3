package ai.sophia.memory;

import ai.sophia.health.HealthCheck;
import ai.sophia.security.FieldCipher;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A database whose stores seal their sensitive columns with {@code cipher}: the backend itself,
 * SQLite or PostgreSQL, with the keyring beside it ({@link Database#sealedWith}); {@link
 * Database#open} wraps the backend in it when a key is configured.
 */
final class EncryptingDatabase implements Database {
  private final Database backend;
  private final FieldCipher cipher;

  EncryptingDatabase(Database backend, FieldCipher cipher) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.cipher = Objects.requireNonNull(cipher, "cipher");
  }

  @Override
  public FieldCipher cipher() {
    return cipher;
  }

  @Override
  public Jdbi jdbi() {
    return backend.jdbi();
  }

  @Override
  public String describe() {
    return backend.describe();
  }

  @Override
  public HealthCheck healthCheck() {
    return backend.healthCheck();
  }

  @Override
  public int schemaVersion() {
    return backend.schemaVersion();
  }

  @Override
  public String lockSkipLocked() {
    return backend.lockSkipLocked();
  }

  @Override
  public boolean uniqueViolation(Throwable e) {
    return backend.uniqueViolation(e);
  }

  @Override
  public boolean connectionLost(Throwable e) {
    return backend.connectionLost(e);
  }

  @Override
  public void signal(Handle h, String channel, Collection<String> payloads) {
    backend.signal(h, channel, payloads);
  }

  @Override
  public Optional<AutoCloseable> listen(String channel, Consumer<String> listener) {
    return backend.listen(channel, listener);
  }

  @Override
  public void close() {
    backend.close();
  }
}
