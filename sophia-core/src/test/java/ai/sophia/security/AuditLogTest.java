package ai.sophia.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The audit log's contract on SQLite and PostgreSQL: one unbroken chain, and every tamper seen. */
@ParameterizedClass
@EnumSource(Backend.class)
class AuditLogTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  private static AuditEntry event(String action, int status) {
    return AuditEntry.event(
        Instant.parse("2026-12-02T10:00:00Z"),
        "key_1",
        "ops",
        "admin",
        action,
        "/api/v1/keys",
        "127.0.0.1",
        status,
        AuditEntry.Outcome.ofStatus(status),
        "req-1");
  }

  private static void appendFive(AuditLog log) {
    for (int i = 1; i <= 5; i++) {
      log.append(event("POST /api/v1/keys #" + i, i == 3 ? 403 : 201));
    }
  }

  @Test
  void appends_formOneChain_newestFirstAndPaged() {
    try (Database db = backend.open(dir)) {
      AuditLog log = new SqlAuditLog(db);
      AuditEntry first = log.append(event("POST /api/v1/keys", 201));
      AuditEntry second = log.append(event("DELETE /api/v1/keys/{id}", 401));

      assertThat(first.seq()).isEqualTo(1);
      assertThat(first.prevHash()).isEmpty();
      assertThat(second.prevHash()).isEqualTo(first.hash()).hasSize(64);
      assertThat(second.outcome()).isEqualTo(AuditEntry.Outcome.denied);
      assertThat(log.recent(10, 0)).extracting(AuditEntry::seq).containsExactly(2L, 1L);
      assertThat(log.recent(10, 2)).extracting(AuditEntry::seq).containsExactly(1L);
      AuditLog.Verification ok = log.verify();
      assertThat(ok.intact()).isTrue();
      assertThat(ok.entries()).isEqualTo(2);
      assertThat(ok.headHash()).isEqualTo(second.hash());
    }
  }

  @Test
  void concurrentAppends_neverForkTheChain() throws Exception {
    try (Database db = backend.open(dir);
        var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      AuditLog log = new SqlAuditLog(db);
      List<Future<AuditEntry>> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String action = "POST /api/v1/swarm/trigger #" + i;
        all.add(threads.submit(() -> log.append(event(action, 202))));
      }
      for (Future<AuditEntry> f : all) {
        f.get();
      }
      assertThat(log.verify().intact()).isTrue();
      assertThat(log.verify().entries()).isEqualTo(200);
    }
  }

  @Test
  void updatesAndDeletes_refusedByTheDatabase() {
    try (Database db = backend.open(dir)) {
      AuditLog log = new SqlAuditLog(db);
      appendFive(log);
      assertThatThrownBy(
              () -> db.jdbi().useHandle(h -> h.execute("UPDATE audit_log SET actor_id = 'x'")))
          .hasStackTraceContaining("append-only");
      assertThatThrownBy(() -> db.jdbi().useHandle(h -> h.execute("DELETE FROM audit_log")))
          .hasStackTraceContaining("append-only");
      assertThat(log.verify().intact()).isTrue();
    }
  }

  @Test
  void alteredRow_detectedWhereItWasAltered() {
    try (Database db = backend.open(dir)) {
      AuditLog log = new SqlAuditLog(db);
      appendFive(log);
      withoutGuards(db, "UPDATE audit_log SET outcome = 'succeeded', status = 201 WHERE seq = 3");

      AuditLog.Verification v = log.verify();
      assertThat(v.intact()).isFalse();
      assertThat(v.broken().orElseThrow().seq()).isEqualTo(3);
      assertThat(v.broken().orElseThrow().reason()).contains("content");
    }
  }

  @Test
  void removedRow_detected_inTheMiddleAndAtTheEnd() {
    try (Database db = backend.open(dir)) {
      AuditLog log = new SqlAuditLog(db);
      appendFive(log);
      withoutGuards(db, "DELETE FROM audit_log WHERE seq = 5");
      AuditLog.Verification end = log.verify();
      assertThat(end.broken().orElseThrow().reason()).contains("removed from the end");

      withoutGuards(db, "DELETE FROM audit_log WHERE seq = 2");
      AuditLog.Verification middle = log.verify();
      assertThat(middle.broken().orElseThrow().seq()).isEqualTo(2);
      assertThat(middle.broken().orElseThrow().reason()).contains("missing");
    }
  }

  @Test
  void rewrittenChainTail_detectedByTheNextEntry() {
    try (Database db = backend.open(dir)) {
      AuditLog log = new SqlAuditLog(db);
      appendFive(log);
      // A forger who recomputes entry 3's own hash still breaks entry 4's link to it.
      AuditEntry three = log.recent(1, 4).getFirst();
      AuditEntry forged =
          new AuditEntry(
              3,
              three.at(),
              three.actorId(),
              three.actorName(),
              three.actorRole(),
              three.action(),
              three.target(),
              three.source(),
              201,
              AuditEntry.Outcome.succeeded,
              three.requestId(),
              three.prevHash(),
              "");
      String hash = SqlAuditLog.hash(forged);
      withoutGuards(
          db,
          "UPDATE audit_log SET status = 201, outcome = 'succeeded', hash = '"
              + hash
              + "' WHERE seq = 3");
      AuditLog.Verification v = log.verify();
      assertThat(v.broken().orElseThrow().seq()).isEqualTo(4);
    }
  }

  @Test
  void controlCharacters_neverSplitAnEntry() {
    try (Database db = backend.open(dir)) {
      AuditLog log = new SqlAuditLog(db);
      AuditEntry e = log.append(event("POST /x\n{\"forged\":true}\r", 400));
      assertThat(e.action()).doesNotContain("\n").doesNotContain("\r");
      assertThat(log.verify().intact()).isTrue();
    }
  }

  /** Runs {@code sql} around the append-only triggers, as someone with the database file could. */
  private void withoutGuards(Database db, String sql) {
    db.jdbi()
        .useHandle(
            h -> {
              if (backend == Backend.sqlite) {
                h.execute("DROP TRIGGER IF EXISTS audit_log_no_update");
                h.execute("DROP TRIGGER IF EXISTS audit_log_no_delete");
              } else {
                h.execute("ALTER TABLE audit_log DISABLE TRIGGER USER");
              }
              h.execute(sql);
            });
  }
}
