package ai.sophia.memory;

import ai.sophia.error.StorageException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sophia's relational store on a PostgreSQL server ({@code storage.backend: postgres}): a HikariCP
 * pool, Jdbi over it, and Flyway bringing the schema to the latest version on open (the scripts
 * under {@code db/postgresql/}, the same tables, keys and indexes as SQLite's {@code
 * db/migration/}).
 *
 * <p>Transactions run at PostgreSQL's default READ COMMITTED; a transaction that reads rows and
 * then updates them locks them with {@link #lockSkipLocked()}. The password goes to the pool and
 * nowhere else: {@link #describe()} names the URL, which the configuration keeps free of it.
 */
public final class PostgresDatabase implements Database {
  private static final Logger log = LoggerFactory.getLogger(PostgresDatabase.class);
  static final String MIGRATIONS = "classpath:db/postgresql";
  private static final String UNIQUE_VIOLATION = "23505";

  private final String url;
  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final int schemaVersion;

  private PostgresDatabase(String url, HikariDataSource pool, int schemaVersion) {
    this.url = url;
    this.pool = pool;
    this.jdbi = Jdbi.create(pool);
    this.schemaVersion = schemaVersion;
  }

  /** Connects, migrates and returns the database; fails naming the URL and the server's words. */
  public static PostgresDatabase open(String url, String user, String password, int poolSize) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(Math.max(2, poolSize)); // Flyway: one for its lock, one to migrate
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setPoolName("sophia-postgres");
    config.setConnectionTimeout(30_000);
    // Server messages without their DETAIL line, which quotes row values into our logs.
    config.addDataSourceProperty("logServerErrorDetail", "false");
    config.addDataSourceProperty("ApplicationName", "sophia");
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StorageException("cannot connect to PostgreSQL at " + url + ": " + reason(e), e);
    }
    try {
      Flyway.configure()
          .dataSource(pool)
          .locations(MIGRATIONS)
          .failOnMissingLocations(true)
          .load()
          .migrate();
      int version = Jdbi.create(pool).withHandle(PostgresDatabase::version);
      log.debug("opened PostgreSQL at {}, schema version {}", url, version);
      return new PostgresDatabase(url, pool, version);
    } catch (FlywayException | JdbiException e) {
      pool.close();
      throw new StorageException("cannot migrate PostgreSQL at " + url + ": " + reason(e), e);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private static int version(Handle h) {
    return h.createQuery(
            "SELECT COALESCE(MAX(CAST(version AS INTEGER)), 0) FROM flyway_schema_history"
                + " WHERE success AND version IS NOT NULL")
        .mapTo(Integer.class)
        .one();
  }

  private static String reason(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof SQLException)) {
      cause = cause.getCause();
    }
    return String.valueOf(cause.getMessage());
  }

  @Override
  public Jdbi jdbi() {
    return jdbi;
  }

  @Override
  public String describe() {
    return url;
  }

  @Override
  public int schemaVersion() {
    return schemaVersion;
  }

  @Override
  public String lockSkipLocked() {
    return " FOR UPDATE SKIP LOCKED";
  }

  @Override
  public boolean uniqueViolation(Throwable e) {
    return Database.anyCause(e, s -> UNIQUE_VIOLATION.equals(s.getSQLState()));
  }

  /** Health of the store: a query answers, with the schema version and the pool's use. */
  @Override
  public HealthCheck healthCheck() {
    return HealthCheck.of(
        "store",
        Duration.ofSeconds(2),
        () -> {
          int version = withHandle(PostgresDatabase::version);
          var bean = pool.getHikariPoolMXBean();
          return HealthStatus.up(
              "postgresql",
              Map.of(
                  "schema_version",
                  version,
                  "connections_active",
                  bean == null ? 0 : bean.getActiveConnections(),
                  "connections_max",
                  pool.getMaximumPoolSize()));
        });
  }

  @Override
  public void close() {
    pool.close();
  }
}
