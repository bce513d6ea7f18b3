package ai.sophia.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.tool.ToolContext;
import ai.sophia.tool.ToolOutput;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At most one commit per idempotency key, against a real bare repository: what a swarm step re-run
 * after a crash relies on.
 */
class IdempotentCommitTest {
  static final String KEY = "swarm-1a2b/commit/commit#1";

  @TempDir Path tmp;
  Path remote;
  CodeFixture f;

  @BeforeEach
  void setUp() {
    remote = GitRemotes.bare(tmp.resolve("demo.git"));
    f = new CodeFixture(tmp.resolve("data"), "    demo:\n      url: " + remote + "\n", Map.of());
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  static ChangeRequest change(String title, String content) {
    return ChangeRequest.of("demo", List.of(FileChange.write("docs/report.md", content)))
        .withPullRequest(title, "", false);
  }

  @Test
  void apply_sameKeyOtherArguments_returnsTheFirstCommitAndPushesNothing() {
    ChangeResult first = f.changes.apply(change("Swarm report", "# One\n").withIdempotencyKey(KEY));

    ChangeResult again =
        f.changes.apply(change("Report of the swarm", "# Two, reworded\n").withIdempotencyKey(KEY));

    assertThat(again.commitHash()).isEqualTo(first.commitHash());
    assertThat(again.branchName()).isEqualTo(first.branchName());
    assertThat(again.reused()).isTrue();
    assertThat(GitRemotes.branches(remote)).containsExactlyInAnyOrder("main", first.branchName());
    assertThat(GitRemotes.tip(remote, first.branchName()).getFullMessage())
        .endsWith("\n\nSophia-Idempotency-Key: " + KEY);
    assertThat(GitRemotes.read(remote, first.branchName(), "docs/report.md")).isEqualTo("# One\n");
  }

  @Test
  void apply_otherKeyOtherArguments_commitsAgain() {
    ChangeResult first = f.changes.apply(change("Swarm report", "# One\n").withIdempotencyKey(KEY));

    ChangeResult other =
        f.changes.apply(change("Another report", "# Two\n").withIdempotencyKey(KEY + "-other"));

    assertThat(other.commitHash()).isNotEqualTo(first.commitHash());
    assertThat(other.reused()).isFalse();
    assertThat(GitRemotes.branches(remote)).hasSize(3);
  }

  @Test
  void apply_crashBetweenCommitAndPush_retryCommitsExactlyOnce() {
    f.changes.beforePush(
        () -> {
          throw new IllegalStateException("the process died here");
        });
    assertThatThrownBy(() -> f.changes.apply(change("Report", "# One\n").withIdempotencyKey(KEY)))
        .hasMessageContaining("died");
    assertThat(GitRemotes.branches(remote)).containsExactly("main");
    f.changes.beforePush(() -> {});

    ChangeResult retried =
        f.changes.apply(change("Report, again", "# One again\n").withIdempotencyKey(KEY));
    ChangeResult third = f.changes.apply(change("Third", "# Three\n").withIdempotencyKey(KEY));

    assertThat(retried.reused()).isFalse();
    assertThat(third.reused()).isTrue();
    assertThat(third.commitHash()).isEqualTo(retried.commitHash());
    assertThat(GitRemotes.branches(remote)).containsExactly("main", retried.branchName());
  }

  /**
   * A process killed while it pushed (the remote has the branch, this working copy does not yet
   * track it) leaves a lock file on the tracking ref; a fetch skips a locked ref without an error.
   */
  @Test
  void apply_killedWhileTrackingThePushedBranch_retryFindsTheFirstCommit() throws Exception {
    ChangeResult first = f.changes.apply(change("Swarm report", "# One\n").withIdempotencyKey(KEY));
    Path tracking =
        tmp.resolve("data/workspaces/demo/.git/refs/remotes/origin/" + first.branchName());
    Files.delete(tracking);
    Files.writeString(tracking.resolveSibling(tracking.getFileName() + ".lock"), "");

    ChangeResult again =
        f.changes.apply(change("Report of the swarm", "# Two, reworded\n").withIdempotencyKey(KEY));

    assertThat(again.reused()).isTrue();
    assertThat(again.commitHash()).isEqualTo(first.commitHash());
    assertThat(GitRemotes.branches(remote)).containsExactlyInAnyOrder("main", first.branchName());
  }

  @Test
  void invoke_sameToolCallKeyOtherArguments_saysAlreadyCommittedAndMakesNoSecondCommit()
      throws Exception {
    CommitTool tool = CommitTool.create(f.changes);
    ObjectMapper json = new ObjectMapper();
    ToolContext context = new ToolContext("run-1", "commit", "commit", "", KEY, 0);

    ToolOutput first =
        tool.invoke(
            json.readTree(
                "{\"repository\":\"demo\",\"files\":[{\"path\":\"a.md\",\"content\":\"a\"}]}"),
            context);
    ToolOutput second =
        tool.invoke(
            json.readTree(
                "{\"repository\":\"demo\",\"title\":\"x\","
                    + "\"files\":[{\"path\":\"b.md\",\"content\":\"b\"}]}"),
            context);

    assertThat(first).isInstanceOf(ToolOutput.Success.class);
    assertThat(first.text()).startsWith("Committed ");
    assertThat(second.text()).startsWith("Already committed ");
    assertThat(GitRemotes.branches(remote)).hasSize(2);
  }
}
