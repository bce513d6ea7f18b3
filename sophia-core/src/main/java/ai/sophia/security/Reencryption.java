package ai.sophia.security;

import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import ai.sophia.memory.Database;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings every sealed column to the keyring's first key: values sealed with an older key, and
 * values written in plaintext before a key was configured, are sealed again in batches. Each value
 * is replaced only where it still holds what was read ({@code WHERE column = old}), so a row
 * written meanwhile is never overwritten with stale content, and an interrupted pass loses nothing:
 * the next one continues. The server runs one pass in the background at start-up.
 */
public final class Reencryption {
  private static final Logger log = LoggerFactory.getLogger(Reencryption.class);
  private static final int BATCH = 500;

  private final Database db;
  private final FieldCipher cipher;
  private volatile String lastPass = "the first pass has not ended yet";
  private volatile boolean failed;

  public Reencryption(Database db) {
    this.db = Objects.requireNonNull(db, "db");
    this.cipher = db.cipher();
  }

  /**
   * What a pass did: values sealed again, and values left as they were (none, when it ends well).
   */
  public record Pass(long resealed, long remaining) {}

  /** Values not yet sealed with the first key, over every sealed column. */
  public long pending() {
    if (!cipher.enabled()) {
      return 0;
    }
    long n = 0;
    for (SealedColumns.Column c : SealedColumns.ALL) {
      n +=
          db.withHandle(
              h ->
                  h.createQuery(
                          "SELECT COUNT(*) FROM "
                              + c.table()
                              + " WHERE "
                              + c.name()
                              + " IS NOT NULL AND "
                              + c.name()
                              + " NOT LIKE :current ESCAPE '\\'")
                      .bind("current", current())
                      .mapTo(Long.class)
                      .one());
    }
    return n;
  }

  /** Seals again every value that needs it; returns what it did. */
  public Pass run() {
    if (!cipher.enabled()) {
      return new Pass(0, 0);
    }
    long resealed = 0;
    for (SealedColumns.Column c : SealedColumns.ALL) {
      while (true) {
        List<String> stale =
            db.withHandle(
                h ->
                    h.createQuery(
                            "SELECT "
                                + c.name()
                                + " FROM "
                                + c.table()
                                + " WHERE "
                                + c.name()
                                + " IS NOT NULL AND "
                                + c.name()
                                + " NOT LIKE :current ESCAPE '\\' LIMIT "
                                + BATCH)
                        .bind("current", current())
                        .mapTo(String.class)
                        .list());
        if (stale.isEmpty()) {
          break;
        }
        long done =
            db.withTransaction(
                h -> {
                  var update =
                      h.prepareBatch(
                          "UPDATE "
                              + c.table()
                              + " SET "
                              + c.name()
                              + " = :sealed WHERE "
                              + c.name()
                              + " = :old");
                  for (String old : stale) {
                    update
                        .bind("sealed", cipher.seal(c.id(), cipher.open(c.id(), old)))
                        .bind("old", old)
                        .add();
                  }
                  long changed = 0;
                  for (int rows : update.execute()) {
                    changed += rows;
                  }
                  return changed;
                });
        resealed += done;
        if (done == 0) {
          break; // every value read was rewritten by its store meanwhile; the next pass looks again
        }
      }
    }
    long remaining = pending();
    if (resealed > 0 || remaining > 0) {
      log.info(
          "encryption at rest: sealed {} values again with key '{}'; {} left",
          resealed,
          cipher.primaryKeyId(),
          remaining);
    }
    return new Pass(resealed, remaining);
  }

  /** Runs one pass on a virtual thread of its own; its outcome shows in {@link #healthCheck}. */
  public Thread startInBackground() {
    return Thread.ofVirtual()
        .name("reencryption")
        .start(
            () -> {
              try {
                Pass p = run();
                lastPass =
                    "last pass sealed "
                        + p.resealed()
                        + " values again, "
                        + p.remaining()
                        + " left";
              } catch (RuntimeException e) {
                failed = true;
                lastPass = "the last pass failed: " + e.getMessage();
                log.warn("encryption at rest: re-sealing failed: {}", e.getMessage());
              }
            });
  }

  /**
   * {@code encryption}, not critical: up with the key that seals and the last pass; degraded when
   * the pass failed (values stay readable with the keys configured).
   */
  public HealthCheck healthCheck() {
    return HealthCheck.of(
        "encryption",
        Duration.ofSeconds(1),
        false,
        () -> {
          String detail =
              "AES-256-GCM, sealing with key '" + cipher.primaryKeyId() + "'; " + lastPass;
          return failed
              ? HealthStatus.degraded(detail)
              : HealthStatus.up(detail, Map.of("key_id", cipher.primaryKeyId()));
        });
  }

  /** A LIKE pattern for values sealed with the first key (key ids hold no LIKE wildcards). */
  private String current() {
    return FieldCipher.PREFIX + cipher.primaryKeyId().replace("_", "\\_") + ":%";
  }
}
