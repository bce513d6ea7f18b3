package ai.sophia.memory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.ConnectionFactory;
import org.sqlite.SQLiteDataSource;

/**
 * A tiny pool of SQLite connections for Jdbi. Reusing connections matters more for SQLite than it
 * seems: closing the last connection to a WAL database checkpoints and deletes the WAL file, and
 * every new connection re-runs the PRAGMAs. At most {@link #MAX_OPEN} connections are in use at
 * once; callers beyond that wait their turn here (cheaply, on virtual threads). SQLite takes one
 * writer at a time and makes the others sleep and retry in its busy handler, so thousands of
 * connections contending for the write lock spend most of their time asleep: measured, 10,000 agent
 * runs finishing at once took minutes that way. At most {@link #MAX_IDLE} are kept open.
 */
final class SqliteConnections implements ConnectionFactory, AutoCloseable {
  static final int MAX_OPEN = 4;
  private static final int MAX_IDLE = MAX_OPEN;

  /** How long a caller waits for a connection before the store reports itself busy. */
  private static final long WAIT_SECONDS = 30;

  private final SQLiteDataSource source;
  private final Semaphore permits = new Semaphore(MAX_OPEN, true);
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  SqliteConnections(SQLiteDataSource source) {
    this.source = source;
  }

  @Override
  public Connection openConnection() throws SQLException {
    try {
      if (!permits.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new SQLException(
            "the database is busy: no connection became free in " + WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a database connection", e);
    }
    try {
      synchronized (this) {
        if (closed) {
          throw new SQLException("database is closed");
        }
        Connection pooled = idle.pollFirst();
        if (pooled != null) {
          return pooled;
        }
      }
      return source.getConnection();
    } catch (SQLException | RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  @Override
  public void closeConnection(Connection connection) throws SQLException {
    try {
      // A connection left inside a transaction must not be handed to the next caller.
      boolean reusable = !connection.isClosed() && connection.getAutoCommit();
      synchronized (this) {
        if (reusable && !closed && idle.size() < MAX_IDLE) {
          idle.addFirst(connection);
          return;
        }
      }
      connection.close();
    } finally {
      permits.release();
    }
  }

  @Override
  public void close() {
    Deque<Connection> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayDeque<>(idle);
      idle.clear();
    }
    SQLException failure = null;
    for (Connection connection : toClose) {
      try {
        connection.close();
      } catch (SQLException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw new IllegalStateException("closing pooled SQLite connections failed", failure);
    }
  }
}
