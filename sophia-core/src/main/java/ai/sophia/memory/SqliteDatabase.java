package ai.sophia.memory;

import ai.sophia.error.StorageException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Sophia's relational store by default: {@code <dataDir>/sophia.db}, SQLite through Jdbi, migrated
 * to the latest schema on open.
 *
 * <p>Several processes may use the file at once (a server and a CLI): WAL lets readers run beside
 * one writer, {@code busy_timeout} makes a writer wait up to 5 s for another instead of failing,
 * and explicit transactions begin IMMEDIATE so that a transaction which reads and then writes takes
 * the write lock up front rather than failing with SQLITE_BUSY when it upgrades.
 */
public final class SqliteDatabase implements Database {
  private static final Logger log = LoggerFactory.getLogger(SqliteDatabase.class);
  private static final String FILE_NAME = "sophia.db";
  private static final int BUSY_TIMEOUT_MS = 5000;
  private static final int SQLITE_CONSTRAINT = 19;

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

  /** Every handle Jdbi opens here has the PRAGMAs above applied. */
  @Override
  public Jdbi jdbi() {
    return jdbi;
  }

  @Override
  public String describe() {
    return file.toString();
  }

  @Override
  public String lockSkipLocked() {
    return "";
  }

  /** SQLite's extended result codes keep SQLITE_CONSTRAINT (19) in the low byte. */
  @Override
  public boolean uniqueViolation(Throwable e) {
    return Database.anyCause(e, s -> (s.getErrorCode() & 0xff) == SQLITE_CONSTRAINT);
  }

  public Path file() {
    return file;
  }

  @Override
  public int schemaVersion() {
    return schemaVersion;
  }

  /** Health of the store: a query answers and the data directory accepts new files. */
  @Override
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
