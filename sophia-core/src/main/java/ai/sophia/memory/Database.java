package ai.sophia.memory;

import ai.sophia.config.Secrets;
import ai.sophia.config.SophiaConfig;
import ai.sophia.error.ConfigException;
import ai.sophia.error.StorageException;
import ai.sophia.health.HealthCheck;
import ai.sophia.security.FieldCipher;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Sophia's relational store, migrated to the latest schema on open: {@link SqliteDatabase} (the
 * zero-setup default) or {@link PostgresDatabase} ({@code storage.backend: postgres}). The stores
 * are written once, in SQL that both run; what differs between the backends is here.
 */
public interface Database extends AutoCloseable {

  /**
   * Opens the backend {@code storage.backend} names, once, in the composition root: SQLite in
   * {@code data_dir}, or the PostgreSQL server at {@code storage.postgres.url} with the password
   * from {@code SOPHIA_STORAGE_POSTGRES_PASSWORD} (or its {@code _FILE}) or {@code password_file}.
   */
  static Database open(SophiaConfig config, Secrets secrets) {
    FieldCipher cipher = cipher(config, secrets);
    Database opened = openBackend(config, secrets);
    return cipher.enabled() ? opened.sealedWith(cipher) : opened;
  }

  /**
   * The keyring for encryption at rest: {@code SOPHIA_ENCRYPTION_KEYS} (or its {@code _FILE}), else
   * the file {@code security.encryption.key_file} names; none when neither is set.
   */
  static FieldCipher cipher(SophiaConfig config, Secrets secrets) {
    String file = config.security().encryption().keyFile();
    return secrets
        .get(ENCRYPTION_KEYS_ENV)
        .map(k -> FieldCipher.parse(k, ENCRYPTION_KEYS_ENV))
        .or(() -> secrets.file(file).map(k -> FieldCipher.parse(k, "security.encryption.key_file")))
        .orElse(FieldCipher.none());
  }

  /** The environment variable holding the keyring for encryption at rest. */
  String ENCRYPTION_KEYS_ENV = "SOPHIA_ENCRYPTION_KEYS";

  private static Database openBackend(SophiaConfig config, Secrets secrets) {
    if (!config.storage().postgresBackend()) {
      return SqliteDatabase.open(config.dataDir());
    }
    SophiaConfig.Postgres p = config.storage().postgres();
    String password =
        secrets
            .get(PASSWORD_ENV)
            .or(() -> secrets.file(p.passwordFile()))
            .orElseThrow(
                () ->
                    new ConfigException(
                        List.of(
                            "storage.backend is postgres but no password is set: put it in "
                                + PASSWORD_ENV
                                + " or in the file storage.postgres.password_file names")));
    return PostgresDatabase.open(p.url(), p.user(), password, p.poolSize());
  }

  /** The environment variable holding the PostgreSQL password. */
  String PASSWORD_ENV = "SOPHIA_STORAGE_POSTGRES_PASSWORD";

  /** Jdbi over this database. Prefer the methods below, which turn its failures into ours. */
  Jdbi jdbi();

  /** Names this database in messages (a file or a URL, never a password). */
  String describe();

  /** Health of the store, for {@code /health}. */
  HealthCheck healthCheck();

  /** The schema version the migrations reached. */
  int schemaVersion();

  /**
   * Appended to a {@code SELECT} in a transaction that then updates what it read, so that a
   * concurrent transaction cannot read the same rows in between: nothing on SQLite (a transaction
   * there takes the write lock when it begins), {@code FOR UPDATE SKIP LOCKED} on PostgreSQL (a row
   * another transaction is claiming is skipped, as if it were not there).
   */
  String lockSkipLocked();

  /** True when {@code e} says a unique key or index refused a row. */
  boolean uniqueViolation(Throwable e);

  /**
   * How sensitive columns are sealed at rest (README, Security): the stores seal what they write
   * and open what they read through it; {@link FieldCipher#none} when no key is configured.
   */
  default FieldCipher cipher() {
    return FieldCipher.none();
  }

  /** This database with its sensitive columns sealed by {@code cipher}. */
  default Database sealedWith(FieldCipher cipher) {
    return new EncryptingDatabase(this, cipher);
  }

  /**
   * True when {@code e} says the connection was lost (the server restarted, the network failed):
   * the work was rolled back with it and may be tried again on another connection. Never on SQLite,
   * which has no connection to lose.
   */
  default boolean connectionLost(Throwable e) {
    return false;
  }

  /**
   * Sends each of {@code payloads} on {@code channel} to every process listening ({@link #listen})
   * once the transaction of {@code h} commits: PostgreSQL's NOTIFY. Nothing on SQLite, whose
   * readers poll instead.
   */
  default void signal(Handle h, String channel, Collection<String> payloads) {}

  /**
   * Calls {@code listener} on a thread of its own with each payload {@link #signal}ed on {@code
   * channel} by any process, and with "" whenever some may have been missed (at the start, after a
   * lost connection); empty when this database cannot tell (SQLite): then readers poll.
   */
  default Optional<AutoCloseable> listen(String channel, Consumer<String> listener) {
    return Optional.empty();
  }

  /** Runs {@code callback} with a handle and returns its value. */
  default <R> R withHandle(HandleCallback<R, RuntimeException> callback) {
    return guarded(this, () -> jdbi().withHandle(callback));
  }

  /** Runs {@code consumer} with a handle. */
  default void useHandle(HandleConsumer<RuntimeException> consumer) {
    guarded(
        this,
        () -> {
          jdbi().useHandle(consumer);
          return null;
        });
  }

  /** Runs {@code callback} in a transaction: committed on return, rolled back on throw. */
  default <R> R withTransaction(HandleCallback<R, RuntimeException> callback) {
    return guarded(this, () -> jdbi().inTransaction(callback));
  }

  /** Runs {@code consumer} in a transaction. */
  default void useTransaction(HandleConsumer<RuntimeException> consumer) {
    guarded(
        this,
        () -> {
          jdbi().useTransaction(consumer);
          return null;
        });
  }

  /** Closes the pooled connections. */
  @Override
  void close();

  /** True when {@code e} or one of its causes is an {@link SQLException} that {@code test}s. */
  static boolean anyCause(Throwable e, java.util.function.Predicate<SQLException> test) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && test.test(s)) {
        return true;
      }
    }
    return false;
  }

  private static <R> R guarded(Database db, Supplier<R> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return work.get();
      } catch (JdbiException e) {
        // After a server restart the pool may still hand out a connection the restart cut: the
        // pool drops it, and the next attempt (three in all) takes another.
        if (attempt >= 3 || !db.connectionLost(e)) {
          throw failure(db, e);
        }
        try {
          Thread.sleep(100L * attempt);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          throw failure(db, e);
        }
      }
    }
  }

  /**
   * Names the database and the driver's own words (e.g. "database is locked") but not the statement
   * or its arguments, which Jdbi's message would carry into logs.
   */
  private static StorageException failure(Database db, JdbiException e) {
    Throwable cause = e;
    while (cause != null && !(cause instanceof SQLException)) {
      cause = cause.getCause();
    }
    String reason = cause != null ? cause.getMessage() : e.getClass().getSimpleName();
    return new StorageException("database " + db.describe() + " failed: " + reason, e);
  }
}
