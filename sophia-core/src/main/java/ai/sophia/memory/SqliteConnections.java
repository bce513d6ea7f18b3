package ai.sophia.memory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jdbi.v3.core.ConnectionFactory;
import org.sqlite.SQLiteDataSource;

/**
 * A tiny pool of SQLite connections for Jdbi. Reusing connections matters more for SQLite than it
 * seems: closing the last connection to a WAL database checkpoints and deletes the WAL file, and
 * every new connection re-runs the PRAGMAs. Connections are created on demand without a cap (SQLite
 * serializes writers itself); at most {@link #MAX_IDLE} are kept.
 */
final class SqliteConnections implements ConnectionFactory, AutoCloseable {
  private static final int MAX_IDLE = 8;

  private final SQLiteDataSource source;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  SqliteConnections(SQLiteDataSource source) {
    this.source = source;
  }

  @Override
  public Connection openConnection() throws SQLException {
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
  }

  @Override
  public void closeConnection(Connection connection) throws SQLException {
    // A connection left inside a transaction must not be handed to the next caller.
    boolean reusable = !connection.isClosed() && connection.getAutoCommit();
    synchronized (this) {
      if (reusable && !closed && idle.size() < MAX_IDLE) {
        idle.addFirst(connection);
        return;
      }
    }
    connection.close();
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
