package ai.sophia.memory;

import ai.sophia.error.StorageException;
import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
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

  /**
   * Connection exceptions (SQLSTATE class 08) and the server shutting down or restarting
   * (57P01–03). A failure while the server processed a COMMIT may hide a commit that was made,
   * which the retry then applies again; the swarm store's writes are keyed (run ids, event seqs),
   * so there such a retry is refused rather than applied twice.
   */
  @Override
  public boolean connectionLost(Throwable e) {
    return Database.anyCause(
        e,
        s -> {
          String state = s.getSQLState();
          return state != null
              && (state.startsWith("08")
                  || state.equals("57P01")
                  || state.equals("57P02")
                  || state.equals("57P03"));
        });
  }

  @Override
  public void signal(Handle h, String channel, Collection<String> payloads) {
    if (payloads.isEmpty()) {
      return;
    }
    // One statement for the batch; PostgreSQL sends each distinct payload once, at commit.
    h.createQuery("SELECT pg_notify(:channel, p) FROM unnest(:payloads) AS p")
        .bind("channel", channel)
        .bindArray("payloads", String.class, List.copyOf(payloads))
        .mapToMap()
        .list();
  }

  @Override
  public Optional<AutoCloseable> listen(String channel, Consumer<String> listener) {
    if (!channel.matches("[a-z_]{1,63}")) {
      throw new IllegalArgumentException("channel " + channel);
    }
    Listener l = new Listener(channel, listener);
    Thread.ofPlatform().daemon().name("postgres-listen-" + channel).start(l);
    return Optional.of(l);
  }

  /**
   * LISTENs on a connection of its own, outside the pool (so that it takes none of the pool's),
   * waiting for notifications half a second at a time; when the connection is lost (the server
   * restarted) it opens another, says "" (some may have been missed), and goes on, until closed.
   */
  private final class Listener implements Runnable, AutoCloseable {
    private final String channel;
    private final Consumer<String> listener;
    private volatile boolean closed;

    Listener(String channel, Consumer<String> listener) {
      this.channel = channel;
      this.listener = listener;
    }

    @Override
    public void run() {
      boolean failing = false;
      while (!closed && !pool.isClosed()) {
        try (Connection c = direct()) {
          try (Statement st = c.createStatement()) {
            st.execute("LISTEN " + channel);
          }
          if (failing) {
            log.info("listening on PostgreSQL channel {} again", channel);
            failing = false;
          }
          listener.accept("");
          PGConnection pg = c.unwrap(PGConnection.class);
          while (!closed) {
            PGNotification[] received = pg.getNotifications(500);
            if (received != null) {
              for (PGNotification n : received) {
                listener.accept(n.getParameter());
              }
            }
          }
        } catch (SQLException | RuntimeException e) {
          if (closed || pool.isClosed()) {
            return;
          }
          if (!failing) {
            log.warn("listening on PostgreSQL channel {} failed, retrying: {}", channel, reason(e));
            failing = true;
          }
          try {
            Thread.sleep(500);
          } catch (InterruptedException stop) {
            return;
          }
        }
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A connection of its own to the server, with the pool's credentials. */
  private Connection direct() throws SQLException {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("user", pool.getUsername());
    props.setProperty("password", pool.getPassword());
    props.setProperty("ApplicationName", "sophia-listen");
    props.setProperty("logServerErrorDetail", "false");
    props.setProperty("connectTimeout", "10");
    return java.sql.DriverManager.getConnection(url, props);
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
