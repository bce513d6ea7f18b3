package ai.sophia.memory;

import ai.sophia.error.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Applies the versioned SQL scripts under {@code db/migration/} in order, each in its own
 * transaction together with its row in {@code schema_version}. Transactions begin IMMEDIATE (see
 * {@link SqliteDatabase}), so two processes starting at once apply each script exactly once.
 *
 * <p>Scripts are listed here rather than discovered: classpath directories cannot be listed
 * reliably inside a shaded jar. A test checks that the list and the folder agree.
 */
final class Migrations {
  static final String DIRECTORY = "db/migration/";
  static final List<String> SCRIPTS =
      List.of(
          "V1__init.sql",
          "V2__agents.sql",
          "V3__swarms.sql",
          "V4__deployments.sql",
          "V5__swarm_nodes.sql",
          "V6__audit.sql",
          "V7__agent_run_leases.sql",
          "V8__key_expiry.sql",
          "V9__mcp_tokens.sql",
          "V10__mcp_token_scope.sql",
          "V11__agent_run_events.sql");
  private static final Pattern NAME = Pattern.compile("V(\\d+)__([a-z0-9_]+)\\.sql");

  private Migrations() {}

  /** Brings the schema up to date; returns the resulting version. */
  static int migrate(Jdbi jdbi) {
    jdbi.useHandle(
        h ->
            h.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                    + " description TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
    int known = SCRIPTS.size();
    int found = jdbi.withHandle(Migrations::currentVersion);
    if (found > known) {
      throw new StorageException(
          "the database schema is at version "
              + found
              + " but this Sophia knows only up to "
              + known
              + "; it was written by a newer Sophia");
    }
    for (int i = 0; i < known; i++) {
      Matcher name = NAME.matcher(SCRIPTS.get(i));
      if (!name.matches() || Integer.parseInt(name.group(1)) != i + 1) {
        throw new IllegalStateException(
            "migration " + SCRIPTS.get(i) + " is misnamed or out of order");
      }
      int version = i + 1;
      String description = name.group(2);
      String sql = read(SCRIPTS.get(i));
      jdbi.useTransaction(
          h -> {
            if (currentVersion(h) >= version) {
              return; // another process got here first
            }
            h.createScript(sql).execute();
            h.createUpdate(
                    "INSERT INTO schema_version (version, description, applied_at)"
                        + " VALUES (:v, :d, :t)")
                .bind("v", version)
                .bind("d", description)
                .bind("t", System.currentTimeMillis())
                .execute();
          });
    }
    return jdbi.withHandle(Migrations::currentVersion);
  }

  static int currentVersion(Handle h) {
    return h.createQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        .mapTo(Integer.class)
        .one();
  }

  private static String read(String script) {
    try (InputStream in =
        Migrations.class.getClassLoader().getResourceAsStream(DIRECTORY + script)) {
      if (in == null) {
        throw new IllegalStateException(
            "migration " + DIRECTORY + script + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("migration " + script + " is unreadable", e);
    }
  }
}
