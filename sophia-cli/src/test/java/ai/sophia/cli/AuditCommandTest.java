package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sophia audit}: key changes made with the CLI are audited; list, verify, export. */
class AuditCommandTest {
  @TempDir Path dir;

  private CliRun sophia(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--data-dir";
    all[1] = dir.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return CliRun.of(all);
  }

  @Test
  void keyChanges_listedVerifiedExported() throws Exception {
    assertThat(sophia("keys", "create", "--name", "ci").exitCode()).isZero();
    assertThat(sophia("keys", "create", "--name", "ops", "--role", "admin").exitCode()).isZero();

    CliRun list = sophia("audit", "list");
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out().lines().findFirst().orElseThrow())
        .matches("SEQ\\s+WHEN\\s+WHO\\s+ACTION\\s+TARGET\\s+FROM\\s+OUTCOME");
    assertThat(list.out())
        .containsPattern(
            "2\\s+\\S+ \\S+\\s+local CLI\\s+keys create\\s+key_\\w+ \\(admin\\)\\s+local")
        .containsPattern("1\\s+.*keys create\\s+key_\\w+ \\(user\\)")
        .doesNotContain("sk-sophia-");

    CliRun verify = sophia("audit", "verify");
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    assertThat(verify.out()).startsWith("The audit log is intact: 2 entries, head ");

    Path out = dir.resolve("audit.jsonl");
    CliRun export = sophia("audit", "export", "--out", out.toString());
    assertThat(export.exitCode()).as(export.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("{\"seq\":1,").contains("\"action\":\"keys create\"");

    CliRun again = sophia("audit", "export", "--out", out.toString());
    assertThat(again.exitCode()).isNotZero();
    assertThat(again.err()).contains("exists already");
  }

  @Test
  void tamperedEntry_verifyFailsNamingIt() throws Exception {
    sophia("keys", "create", "--name", "ci");
    sophia("keys", "create", "--name", "other");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("sophia.db"));
        Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER audit_log_no_update");
      s.execute("UPDATE audit_log SET target = 'nothing to see' WHERE seq = 1");
    }

    CliRun verify = sophia("audit", "verify");
    assertThat(verify.exitCode()).isEqualTo(1);
    assertThat(verify.err()).contains("BROKEN at entry 1").contains("does not match its hash");
  }

  @Test
  void badLimit_usageMessage() {
    CliRun run = sophia("audit", "list", "--limit", "0");
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("--limit must be 1 to 1000").doesNotContain("Exception");
  }
}
