package ai.sophia.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.code.GitRemotes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sophia commit} against a real bare repository. */
class CommitCommandTest {
  @TempDir Path dir;
  Path remote;
  Path config;

  @BeforeEach
  void setUp() throws Exception {
    remote = GitRemotes.bare(dir.resolve("demo.git"));
    config =
        Files.writeString(
            dir.resolve("sophia.yaml"),
            "code:\n  repositories:\n    demo:\n      url: " + remote + "\n");
    Files.writeString(dir.resolve("notes.md"), "# Notes\n");
  }

  private CliRun commit(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--config", config.toString(), "--data-dir", dir.resolve("data").toString()));
    all.add("commit");
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void commit_fileWithSource_pushesBranchAndSaysNoPullRequest() {
    CliRun run =
        commit(
            "--repo",
            "demo",
            "--file",
            "docs/notes.md=" + dir.resolve("notes.md"),
            "--message",
            "docs: notes");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("committed ", "branch       sophia/docs-notes-", "no_pr_api");
    String branch =
        GitRemotes.branches(remote).stream().filter(b -> !b.equals("main")).findFirst().get();
    assertThat(GitRemotes.read(remote, branch, "docs/notes.md")).isEqualTo("# Notes\n");
  }

  @Test
  void commit_dryRun_printsDiffWritesNothing() {
    CliRun run =
        commit("--repo", "demo", "--file", "docs/notes.md=" + dir.resolve("notes.md"), "--dry-run");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("+# Notes", "dry run: nothing was written");
    assertThat(GitRemotes.branches(remote)).containsExactly("main");
  }

  @Test
  void commit_badInput_oneClearLineAndExitCode() {
    CliRun missing = commit("--repo", "demo", "--file", "x.md=" + dir.resolve("nope.md"));
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("sophia: ", "no such file");

    CliRun traversal = commit("--repo", "demo", "--file", "../x.md=" + dir.resolve("notes.md"));
    assertThat(traversal.exitCode()).isEqualTo(2);
    assertThat(traversal.err()).contains("leaves the repository");

    CliRun protectedPath =
        commit("--repo", "demo", "--file", ".github/workflows/ci.yml=" + dir.resolve("notes.md"));
    assertThat(protectedPath.exitCode()).isEqualTo(1);
    assertThat(protectedPath.err()).contains("protected", "--approve-protected");

    CliRun unknown = commit("--repo", "nope", "--file", "a.md=" + dir.resolve("notes.md"));
    assertThat(unknown.err()).contains("unknown repository 'nope'");
  }
}
