package ai.sophia.swarm;

import ai.sophia.memory.SqliteDatabase;

/** Runs, steps and events in Sophia's SQLite database (tables of migration V3). */
public final class SqliteSwarmStore implements SwarmStore {
  public SqliteSwarmStore(SqliteDatabase database) {
    throw new UnsupportedOperationException("the swarm engine is being built (issue 4)");
  }
}
