package ai.sophia.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.agent.AgentRunStore.StoredRun;
import ai.sophia.agent.SessionStore.Turn;
import ai.sophia.memory.Backend;
import ai.sophia.memory.Database;
import ai.sophia.security.FieldCipher;
import ai.sophia.security.Reencryption;
import ai.sophia.tool.Risk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sensitive columns sealed at rest on SQLite and PostgreSQL: the stores read back what they wrote,
 * the database holds no plaintext of it, and key rotation re-seals every value — also while runs
 * keep writing — without losing one.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class EncryptionAtRestTest {
  static final String K1 = "k1:" + Base64.getEncoder().encodeToString(fill(1));
  static final String K2 = "k2:" + Base64.getEncoder().encodeToString(fill(2));
  static final String SECRET = "patient 4711 has condition zeta";

  @Parameter Backend backend;
  @TempDir Path dir;

  static byte[] fill(int v) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }

  private Database open(String keyring) {
    Database db = backend.open(dir);
    return keyring == null ? db : db.sealedWith(FieldCipher.parse(keyring, "test"));
  }

  private static StoredRun run(String id, String input, String output) {
    Instant t = Instant.parse("2026-12-02T10:00:00Z");
    return new StoredRun(
        id,
        "writer",
        "",
        "key_x",
        RunStatus.succeeded,
        "model",
        input,
        output,
        "[\"" + input + "\"]",
        t,
        t,
        "node/1/a",
        t,
        "{}",
        "");
  }

  /** Every stored value of the sealed columns, as the database holds it. */
  private static List<String> raw(Database db) {
    List<String> all = new ArrayList<>();
    db.useHandle(
        h -> {
          all.addAll(
              h.createQuery("SELECT content FROM conversation_history").mapTo(String.class).list());
          all.addAll(
              h.createQuery(
                      "SELECT input || ' ' || output || ' ' || transcript_json FROM agent_runs")
                  .mapTo(String.class)
                  .list());
          all.addAll(
              h.createQuery("SELECT arguments_json FROM approvals").mapTo(String.class).list());
        });
    return all;
  }

  @Test
  void storesReadBackWhatTheyWrote_databaseHoldsNoPlaintext() throws Exception {
    try (Database db = open(K1)) {
      SessionStore sessions = new SqlSessionStore(db, Clock.systemUTC());
      var s = sessions.create("writer", "key_x");
      sessions.append(s.id(), List.of(new Turn("user", SECRET, 5)));
      new SqlAgentRunStore(db).save(run("run_1", SECRET, "answer about " + SECRET));
      new SqlApprovalStore(db)
          .insert(
              new Approval(
                  "apr_1",
                  "run_1",
                  "writer",
                  "commit",
                  Risk.write,
                  "{\"note\":\"" + SECRET + "\"}",
                  Approval.PENDING,
                  Instant.now(),
                  "",
                  ""));

      assertThat(sessions.recent(s.id(), 5)).extracting(Turn::content).containsExactly(SECRET);
      assertThat(new SqlAgentRunStore(db).find("run_1").orElseThrow().output())
          .isEqualTo("answer about " + SECRET);
      assertThat(new SqlApprovalStore(db).find("apr_1").orElseThrow().argumentsJson())
          .contains(SECRET);
      assertThat(raw(db)).hasSize(3).allSatisfy(v -> assertThat(v).doesNotContain("patient 4711"));
      assertThat(raw(db)).allSatisfy(v -> assertThat(v).startsWith("sophia:enc:v1:k1:"));
    }
    if (backend == Backend.sqlite) {
      // The file itself (and its write-ahead log) holds no plaintext of the sealed columns.
      for (String name : List.of("sophia.db", "sophia.db-wal")) {
        Path file = dir.resolve(name);
        if (Files.exists(file)) {
          assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
              .as(name)
              .doesNotContain("patient 4711");
        }
      }
    }
  }

  @Test
  void rotation_reSealsEveryValue_whileRunsKeepWriting_losingNone() throws Exception {
    try (Database db = open(K1)) {
      SqlAgentRunStore runs = new SqlAgentRunStore(db);
      for (int i = 0; i < 300; i++) {
        runs.save(run("run_" + i, "question " + i, "answer " + i));
      }
    }
    try (Database db = open(K2 + "\n" + K1);
        var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      SqlAgentRunStore runs = new SqlAgentRunStore(db);
      Reencryption rotation = new Reencryption(db);
      assertThat(rotation.pending()).isEqualTo(900); // 3 columns × 300 runs
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        writers.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    int n = writer * 50 + i;
                    runs.save(run("run_" + n, "question " + n, "rewritten " + n));
                    runs.save(run("new_" + n, "question " + n, "new " + n));
                  }
                }));
      }
      Reencryption.Pass pass = rotation.run();
      for (Future<?> f : writers) {
        f.get();
      }
      rotation.run();
      assertThat(rotation.pending()).isZero();
      assertThat(pass.resealed()).isPositive();
      for (int n = 0; n < 300; n++) {
        String expected = n < 200 ? "rewritten " + n : "answer " + n;
        assertThat(runs.find("run_" + n).orElseThrow().output()).isEqualTo(expected);
      }
      assertThat(runs.find("new_199").orElseThrow().output()).isEqualTo("new 199");
    }
    // The old key can go now: everything opens with the new one alone.
    try (Database db = open(K2)) {
      assertThat(new SqlAgentRunStore(db).find("run_250").orElseThrow().input())
          .isEqualTo("question 250");
    }
  }

  @Test
  void plaintextWrittenBeforeAKey_readable_thenSealedByTheFirstPass() {
    try (Database db = open(null)) {
      new SqlAgentRunStore(db).save(run("run_old", SECRET, "plain answer"));
    }
    try (Database db = open(K1)) {
      assertThat(new SqlAgentRunStore(db).find("run_old").orElseThrow().input()).isEqualTo(SECRET);
      new Reencryption(db).run();
      assertThat(raw(db)).singleElement().asString().doesNotContain("patient 4711");
      assertThat(new SqlAgentRunStore(db).find("run_old").orElseThrow().output())
          .isEqualTo("plain answer");
    }
  }
}
