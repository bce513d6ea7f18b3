package ai.sophia.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.code.CodeFixture;
import ai.sophia.code.CommitTool;
import ai.sophia.code.GitRemotes;
import ai.sophia.model.Message;
import ai.sophia.model.ToolCall;
import ai.sophia.tool.Risk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in commit agent with the real commit tool, a scripted model and real git. */
class CommitAgentTest {
  @TempDir Path dir;
  Path remote;
  CodeFixture code;
  AgentFixture f;

  @BeforeEach
  void open() throws Exception {
    remote = GitRemotes.bare(dir.resolve("demo.git"));
    Files.createDirectories(dir.resolve("code"));
    code = new CodeFixture(dir.resolve("code"), "    demo:\n      url: " + remote + "\n", Map.of());
    Files.createDirectories(dir.resolve("agents"));
    f = new AgentFixture(dir.resolve("agents"), "", Map.of(), CommitTool.create(code.changes));
  }

  @AfterEach
  void close() {
    f.close();
    code.close();
  }

  private static void waitFor(AgentRun run, RunStatus status) throws InterruptedException {
    for (int i = 0; i < 400 && run.status() != status; i++) {
      Thread.sleep(25);
    }
    assertThat(run.status()).isEqualTo(status);
  }

  @Test
  void health_repositoryConfigured_upAndWithoutOne_toolSaysWhy() throws Exception {
    Files.createDirectories(dir.resolve("none"));
    try (CodeFixture none = new CodeFixture(dir.resolve("none"), "    {}\n", Map.of())) {
      assertThat(CommitTool.create(none.changes).unavailable())
          .hasValue("no repository is configured (code.repositories)");
    }
    assertThat(CommitTool.create(code.changes).unavailable()).isEmpty();
    assertThat(f.runtime.agents().get("commit").healthCheck().check().state())
        .isEqualTo(ai.sophia.health.HealthStatus.State.up);
  }

  @Test
  void commitTool_notAuthorized_waitsForApprovalThenCommits() throws Exception {
    f.model
        .thenToolCalls(
            new ToolCall(
                "c1",
                "commit",
                "{\"repository\":\"demo\",\"files\":[{\"path\":\"docs/notes.md\",\"content\":"
                    + "\"# Notes\\n\"}],\"title\":\"Add notes\",\"reason\":\"asked by the user\"}"))
        .thenText("Committed the notes.");

    AgentRun run = f.runtime.agents().get("commit").start(AgentRequest.of("add release notes"));
    waitFor(run, RunStatus.waiting_approval);
    assertThat(GitRemotes.branches(remote)).containsExactly("main");
    Approval pending = f.runtime.approvals().pending(10).getFirst();
    assertThat(pending.tool()).isEqualTo("commit");
    assertThat(pending.risk()).isEqualTo(Risk.write);

    f.runtime.approvals().decide(pending.id(), true, "key_admin", "fine");
    AgentResult result = run.join();

    assertThat(result.status()).isEqualTo(RunStatus.succeeded);
    assertThat(GitRemotes.branches(remote)).hasSize(2);
    String branch =
        GitRemotes.branches(remote).stream().filter(b -> !b.equals("main")).findFirst().get();
    assertThat(branch).startsWith("sophia/add-notes-");
    assertThat(GitRemotes.read(remote, branch, "docs/notes.md")).isEqualTo("# Notes\n");
    Message.ToolResult toolResult =
        (Message.ToolResult) f.model.requests().getLast().messages().getLast();
    assertThat(toolResult.text())
        .contains(GitRemotes.tip(remote, branch).getName(), "No pull request", "plain git remote");
  }

  @Test
  void commitTool_writeAuthorizedButProtectedPath_stillAsksAPerson() throws Exception {
    f.model
        .thenToolCalls(
            new ToolCall(
                "c1",
                "commit",
                "{\"repository\":\"demo\",\"files\":[{\"path\":\".github/workflows/ci.yml\","
                    + "\"content\":\"on: push\\n\"}]}"))
        .thenText("I could not change the workflow.");

    AgentRun run =
        f.runtime
            .agents()
            .get("commit")
            .start(AgentRequest.of("edit the CI workflow").withAuthorize(Set.of(Risk.write)));
    waitFor(run, RunStatus.waiting_approval);
    f.runtime
        .approvals()
        .decide(f.runtime.approvals().pending(10).getFirst().id(), false, "key_admin", "no");
    AgentResult result = run.join();

    assertThat(result.status()).isEqualTo(RunStatus.succeeded);
    assertThat(GitRemotes.branches(remote)).containsExactly("main");
  }

  @Test
  void commitTool_writeAuthorizedOrdinaryPath_commitsWithoutAsking() {
    f.model
        .thenToolCalls(
            new ToolCall(
                "c1",
                "commit",
                "{\"repository\":\"demo\",\"files\":[{\"path\":\"src/app.txt\",\"delete\":true}]}"))
        .thenText("Deleted.");

    AgentResult result =
        f.runtime
            .agents()
            .get("commit")
            .processRequest(AgentRequest.of("drop app.txt").withAuthorize(Set.of(Risk.write)));

    assertThat(result.status()).isEqualTo(RunStatus.succeeded);
    assertThat(f.runtime.approvals().pending(10)).isEmpty();
    String branch =
        GitRemotes.branches(remote).stream().filter(b -> !b.equals("main")).findFirst().get();
    assertThat(GitRemotes.read(remote, branch, "src/app.txt")).isNull();
  }
}
