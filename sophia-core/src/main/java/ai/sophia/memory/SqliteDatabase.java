package ai.sophia.memory;

import ai.sophia.error.StorageException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Sophia's relational store: {@code <dataDir>/sophia.db}, SQLite through Jdbi, migrated to the
 * latest schema on open.
 *
 * <p>Several processes may use the file at once (a server and a CLI): WAL lets readers run beside
 * one writer, {@code busy_timeout} makes a writer wait up to 5 s for another instead of failing,
 * and explicit transactions begin IMMEDIATE so that a transaction which reads and then writes takes
 * the write lock up front rather than failing with SQLITE_BUSY when it upgrades.
 */
public final class SqliteDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SqliteDatabase.class);
  private static final String FILE_NAME = "sophia.db";
  private static final int BUSY_TIMEOUT_MS = 5000;

  private final Path dataDir;
  private final Path file;
  private final SqliteConnections connections;
  private final Jdbi jdbi;
  private final int schemaVersion;

  private SqliteDatabase(Path dataDir, Path file, SqliteConnections connections, Jdbi jdbi, int v) {
    this.dataDir = dataDir;
    this.file = file;
    this.connections = connections;
    this.jdbi = jdbi;
    this.schemaVersion = v;
  }

  /** Opens (creating if needed) the database in {@code dataDir} and applies pending migrations. */
  public static SqliteDatabase open(Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new StorageException("cannot create the data directory " + dataDir + ": " + e, e);
    }
    Path file = dataDir.resolve(FILE_NAME);
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.enforceForeignKeys(true);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource source = new SQLiteDataSource(config);
    source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    SqliteConnections connections = new SqliteConnections(source);
    Jdbi jdbi = Jdbi.create(connections);
    try {
      int version = Migrations.migrate(jdbi);
      log.debug("opened {} at schema version {}", file, version);
      return new SqliteDatabase(dataDir, file, connections, jdbi, version);
    } catch (JdbiException e) {
      connections.close();
      throw new StorageException("cannot open the database " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      connections.close();
      throw e;
    }
  }

  /**
   * Jdbi over this database; every handle it opens has the PRAGMAs above applied. Prefer the
   * methods below, which turn Jdbi's failures into {@link StorageException}.
   */
  public Jdbi jdbi() {
    return jdbi;
  }

  /** Runs {@code callback} with a handle and returns its value. */
  public <R> R withHandle(HandleCallback<R, RuntimeException> callback) {
    return guarded(() -> jdbi.withHandle(callback));
  }

  /** Runs {@code consumer} with a handle. */
  public void useHandle(HandleConsumer<RuntimeException> consumer) {
    guarded(
        () -> {
          jdbi.useHandle(consumer);
          return null;
        });
  }

  /**
   * Runs {@code callback} in an IMMEDIATE transaction: committed on return, rolled back on throw.
   */
  public <R> R withTransaction(HandleCallback<R, RuntimeException> callback) {
    return guarded(() -> jdbi.inTransaction(callback));
  }

  /** Runs {@code consumer} in an IMMEDIATE transaction. */
  public void useTransaction(HandleConsumer<RuntimeException> consumer) {
    guarded(
        () -> {
          jdbi.useTransaction(consumer);
          return null;
        });
  }

  private <R> R guarded(Supplier<R> work) {
    try {
      return work.get();
    } catch (JdbiException e) {
      throw failure(e);
    }
  }

  /**
   * Names the file and SQLite's own words (e.g. "database is locked") but not the statement or its
   * arguments, which Jdbi's message would carry into logs.
   */
  private StorageException failure(JdbiException e) {
    Throwable cause = e;
    while (cause != null && !(cause instanceof SQLException)) {
      cause = cause.getCause();
    }
    String reason = cause != null ? cause.getMessage() : e.getClass().getSimpleName();
    return new StorageException("database " + file + " failed: " + reason, e);
  }

  public Path file() {
    return file;
  }

  public int schemaVersion() {
    return schemaVersion;
  }

  /** Health of the store: a query answers and the data directory accepts new files. */
  public HealthCheck healthCheck() {
    return HealthCheck.of(
        "store",
        Duration.ofSeconds(2),
        () -> {
          int version = withHandle(Migrations::currentVersion);
          Path probe = Files.createTempFile(dataDir, ".health", ".tmp");
          Files.delete(probe);
          return HealthStatus.up(
              "sqlite", Map.of("schema_version", version, "size_bytes", Files.size(file)));
        });
  }

  /** Closes pooled connections; handles still open elsewhere close their own on release. */
  @Override
  public void close() {
    connections.close();
  }
}
