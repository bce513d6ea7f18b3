package ai.sophia.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.InvalidInputException;
import ai.sophia.memory.TaskExecution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Code changes against real bare repositories and a loopback GitHub. */
class CodeChangesTest {
  static final String TOKEN = "ghp_loopbackSecretToken1234567890";

  @TempDir Path tmp;
  Path remote;
  LoopbackGitHub github;
  CodeFixture f;

  @BeforeEach
  void setUp() {
    remote = GitRemotes.bare(tmp.resolve("demo.git"));
    github = LoopbackGitHub.start("acme", "demo", TOKEN);
    f =
        new CodeFixture(
            tmp.resolve("data"),
            "    demo:\n      url: "
                + remote
                + "\n      token_env: DEMO_TOKEN\n      github: {api_url: "
                + github.apiUrl()
                + ", owner: acme, repo: demo}\n    plain:\n      url: "
                + remote
                + "\n",
            Map.of("DEMO_TOKEN", TOKEN));
  }

  @AfterEach
  void tearDown() {
    f.close();
    github.close();
  }

  static ChangeRequest docs(String repository) {
    return ChangeRequest.of(
            repository,
            List.of(
                FileChange.write("docs/notes.md", "# Notes\n"),
                FileChange.write("src/app.txt", "v2\n")))
        .withPullRequest("Add notes", "the team asked for release notes", true)
        .requestedBy("key_dev");
  }

  @Test
  void apply_newChange_pushesBranchFromBaseAndOpensPullRequest() {
    RevCommit main = GitRemotes.tip(remote, "main");

    ChangeResult r = f.changes.apply(docs("demo"));

    assertThat(r.branchName()).matches("sophia/add-notes-[0-9a-f]{8}");
    RevCommit pushed = GitRemotes.tip(remote, r.branchName());
    assertThat(pushed.getName()).isEqualTo(r.commitHash());
    assertThat(pushed.getParent(0)).isEqualTo(main);
    assertThat(pushed.getAuthorIdent().getName()).isEqualTo("Sophia");
    assertThat(pushed.getAuthorIdent().getEmailAddress()).isEqualTo("sophia@localhost");
    assertThat(pushed.getFullMessage()).startsWith("feat: autonomous commit - 20");
    assertThat(GitRemotes.read(remote, r.branchName(), "docs/notes.md")).isEqualTo("# Notes\n");
    assertThat(GitRemotes.read(remote, r.branchName(), "src/app.txt")).isEqualTo("v2\n");
    assertThat(GitRemotes.tip(remote, "main")).isEqualTo(main);
    assertThat(r.githubStatus()).isEqualTo("created");
    assertThat(r.prNumber()).isEqualTo(1);
    assertThat(r.prUrl()).isEqualTo("https://github.com/acme/demo/pull/1");
    assertThat(r.filePath()).isEqualTo("docs/notes.md");
    assertThat(r.filePaths()).containsExactly("docs/notes.md", "src/app.txt");
    var pr = github.pulls().getFirst();
    assertThat(pr.path("head").path("ref").asText()).isEqualTo(r.branchName());
    assertThat(pr.path("base").path("ref").asText()).isEqualTo("main");
    assertThat(pr.path("draft").asBoolean()).isTrue();
    assertThat(pr.path("title").asText()).isEqualTo("Add notes");
    assertThat(pr.path("body").asText())
        .contains("the team asked for release notes", "`docs/notes.md`", r.commitHash(), "key_dev");
    assertThat(github.authorizations()).allMatch(a -> a.equals("Bearer " + TOKEN));
    TaskExecution task = f.operations.recentTasks(1).getFirst();
    assertThat(task.operation()).isEqualTo("code.modify");
    assertThat(task.status()).isEqualTo("succeeded");
    assertThat(task.detailJson()).contains(r.commitHash(), r.branchName());
  }

  @Test
  void apply_sameRequestRetried_noSecondBranchCommitOrPullRequest() {
    ChangeResult first = f.changes.apply(docs("demo"));

    ChangeResult again = f.changes.apply(docs("demo"));

    assertThat(again.branchName()).isEqualTo(first.branchName());
    assertThat(again.commitHash()).isEqualTo(first.commitHash());
    assertThat(again.reused()).isTrue();
    assertThat(again.prNumber()).isEqualTo(first.prNumber());
    assertThat(again.githubStatus()).isEqualTo("exists");
    assertThat(GitRemotes.branches(remote)).containsExactly("main", first.branchName());
    assertThat(GitRemotes.tip(remote, first.branchName()).getName()).isEqualTo(first.commitHash());
    assertThat(github.pulls()).hasSize(1);
    assertThat(github.posts()).isEqualTo(1);
  }

  @Test
  void apply_pullRequestOpenedByOthersMeanwhile_returnsIt() {
    ChangeRequest request = docs("demo");
    String branch = CodeChanges.derivedBranch(request, "main");
    // Someone opens the PR between Sophia's look and its POST: GitHub answers 422.
    github.thenPost(
        new LoopbackGitHub.Canned(
            422,
            Map.of(),
            "{\"message\":\"Validation Failed\",\"errors\":[{\"message\":\"A pull request already"
                + " exists for acme:"
                + branch
                + ".\"}]}"));
    ChangeResult r = f.changes.apply(request);
    assertThat(r.githubStatus()).isEqualTo("exists");
    assertThat(r.prNumber()).isEqualTo(1);
    assertThat(github.pulls()).hasSize(1);
  }

  @Test
  void apply_baseBranchMovedByOthers_branchesFromTheFreshBase() {
    f.changes.apply(docs("demo"));
    String theirs =
        GitRemotes.commitAs(remote, tmp.resolve("human"), "main", "CHANGELOG.md", "x\n");

    ChangeResult r =
        f.changes.apply(
            ChangeRequest.of("demo", List.of(FileChange.write("docs/more.md", "more\n"))));

    assertThat(GitRemotes.tip(remote, r.branchName()).getParent(0).getName()).isEqualTo(theirs);
    assertThat(GitRemotes.read(remote, r.branchName(), "CHANGELOG.md")).isEqualTo("x\n");
  }

  @Test
  void apply_branchMovedOnRemoteBeforePush_reportsConflictAndOverwritesNothing() {
    ChangeRequest request = docs("demo").withBranch("feature/notes");
    GitRemotes.commitAs(remote, tmp.resolve("human"), "feature/notes", "a.txt", "a\n");
    f.changes.beforePush(
        () -> GitRemotes.commitAs(remote, tmp.resolve("human"), "feature/notes", "b.txt", "b\n"));
    String[] theirs = new String[1];

    assertThatThrownBy(() -> f.changes.apply(request))
        .isInstanceOf(PushConflictException.class)
        .hasMessageContaining("not a fast-forward");

    theirs[0] = GitRemotes.read(remote, "feature/notes", "b.txt");
    assertThat(theirs[0]).isEqualTo("b\n");
    assertThat(GitRemotes.read(remote, "feature/notes", "docs/notes.md")).isNull();
    assertThat(f.operations.recentTasks(1).getFirst().status()).isEqualTo("failed");
    assertThat(f.operations.recentTasks(1).getFirst().detailJson()).contains("fast-forward");
  }

  @Test
  void apply_concurrentChangesToOneRepository_takeTurnsAndAllLand() throws Exception {
    List<ChangeRequest> requests = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      requests.add(ChangeRequest.of("demo", List.of(FileChange.write("f" + i + ".txt", i + "\n"))));
    }
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<ChangeResult>> futures =
          requests.stream().map(r -> pool.submit(() -> f.changes.apply(r))).toList();
      for (int i = 0; i < futures.size(); i++) {
        ChangeResult r = futures.get(i).get();
        assertThat(GitRemotes.read(remote, r.branchName(), "f" + i + ".txt")).isEqualTo(i + "\n");
      }
    }
    assertThat(GitRemotes.branches(remote)).hasSize(5);
  }

  @Test
  void apply_protectedPathWithoutApproval_refusedAndNothingPushed() {
    ChangeRequest request =
        ChangeRequest.of(
            "demo", List.of(FileChange.write(".github/workflows/ci.yml", "on: push\n")));

    assertThatThrownBy(() -> f.changes.apply(request))
        .isInstanceOf(ProtectedPathException.class)
        .hasMessageContaining(".github/workflows/ci.yml");
    assertThat(GitRemotes.branches(remote)).containsExactly("main");

    ChangeResult approved = f.changes.apply(request.approvingProtected(true));
    assertThat(GitRemotes.read(remote, approved.branchName(), ".github/workflows/ci.yml"))
        .isEqualTo("on: push\n");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../escape.txt",
        "/etc/passwd",
        "docs/../../escape",
        ".git/config",
        "a/.GIT/x",
        "a\\b.txt",
        "C:/x",
        "docs//x",
        "./x"
      })
  void apply_pathOutsideRepository_refused(String path) {
    assertThatThrownBy(
            () -> f.changes.apply(ChangeRequest.of("demo", List.of(FileChange.write(path, "x")))))
        .isInstanceOf(InvalidInputException.class)
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo("files[0].path");
    assertThat(GitRemotes.branches(remote)).containsExactly("main");
    assertThat(Files.exists(tmp.resolve("escape.txt"))).isFalse();
  }

  @Test
  void apply_symlinkLeadingOutside_refused() throws Exception {
    // A link committed in the repository must not let a write land outside the working copy.
    Path clone = tmp.resolve("linker");
    GitRemotes.commitAs(remote, clone, "main", "placeholder", "p\n");
    try (var git = org.eclipse.jgit.api.Git.open(clone.toFile())) {
      Files.createSymbolicLink(clone.resolve("out"), tmp);
      git.add().addFilepattern("out").call();
      git.commit().setMessage("link").setSign(false).call();
      git.push()
          .setRemote("origin")
          .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("work:refs/heads/main"))
          .call();
    }
    assertThatThrownBy(
            () ->
                f.changes.apply(
                    ChangeRequest.of("demo", List.of(FileChange.write("out/evil.txt", "x")))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("leaves the repository");
    assertThat(Files.exists(tmp.resolve("evil.txt"))).isFalse();
  }

  @Test
  void apply_dryRun_returnsDiffAndWritesNothing() {
    ChangeResult r = f.changes.apply(docs("demo").asDryRun(true));

    assertThat(r.dryRun()).isTrue();
    assertThat(r.githubStatus()).isEqualTo("dry_run");
    assertThat(r.commitHash()).isNull();
    assertThat(r.diff()).contains("+++ b/docs/notes.md", "+# Notes", "-v1", "+v2");
    assertThat(GitRemotes.branches(remote)).containsExactly("main");
    assertThat(github.requests()).isEmpty();
    assertThat(f.operations.recentTasks(1).getFirst().status()).isEqualTo("dry_run");
  }

  @Test
  void apply_dryRunOfAChangeAlreadyMade_showsItsDiffAgainstTheBase() {
    ChangeResult made = f.changes.apply(docs("demo"));

    ChangeResult dry = f.changes.apply(docs("demo").asDryRun(true));

    assertThat(dry.branchName()).isEqualTo(made.branchName());
    assertThat(dry.diff()).contains("+# Notes");
    assertThat(GitRemotes.tip(remote, made.branchName()).getName()).isEqualTo(made.commitHash());
  }

  @Test
  void apply_plainRemote_pushesBranchAndSaysThereIsNoPullRequest() {
    ChangeResult r =
        f.changes.apply(
            ChangeRequest.of("plain", List.of(FileChange.remove("src/app.txt")))
                .withMessage("chore: drop app.txt"));

    assertThat(r.prUrl()).isNull();
    assertThat(r.prNumber()).isNull();
    assertThat(r.githubStatus()).isEqualTo("no_pr_api");
    assertThat(r.githubDetail()).contains("plain git remote", r.branchName());
    assertThat(r.branchName()).startsWith("sophia/chore-drop-app-txt-");
    assertThat(GitRemotes.read(remote, r.branchName(), "src/app.txt")).isNull();
    assertThat(GitRemotes.tip(remote, r.branchName()).getFullMessage())
        .isEqualTo("chore: drop app.txt");
  }

  @Test
  void apply_tooLargeOrUnknown_refusedNamingTheField() {
    String big = "x".repeat(f.config.code().maxFileBytes() + 1);
    assertThatThrownBy(
            () ->
                f.changes.apply(
                    ChangeRequest.of("demo", List.of(FileChange.write("big.txt", big)))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("code.max_file_bytes");
    assertThatThrownBy(() -> f.changes.apply(docs("nope")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown repository 'nope'");
    assertThatThrownBy(
            () ->
                f.changes.apply(
                    ChangeRequest.of("demo", List.of(FileChange.write("README.md", "# Demo\n")))))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("makes no difference");
    assertThat(f.operations.recentTasks(3)).allMatch(t -> t.status().equals("failed"));
  }

  @Test
  void pullRequest_rateLimited_waitsRetryAfterThenOpens() {
    github.thenPost(
        new LoopbackGitHub.Canned(
            403,
            Map.of("retry-after", "1", "x-ratelimit-remaining", "0"),
            "{\"message\":\"You have exceeded a secondary rate limit.\"}"));
    long started = System.nanoTime();

    ChangeResult r = f.changes.apply(docs("demo"));

    assertThat(r.githubStatus()).isEqualTo("created");
    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(900);
    assertThat(github.posts()).isEqualTo(2);
  }

  @Test
  void pullRequest_rateLimitedBeyondTheWaitLimit_reportsWhenToRetry() {
    long reset = System.currentTimeMillis() / 1000 + 3600;
    github.thenPost(
        new LoopbackGitHub.Canned(
            403,
            Map.of("x-ratelimit-remaining", "0", "x-ratelimit-reset", Long.toString(reset)),
            "{\"message\":\"API rate limit exceeded\"}"));

    ChangeResult r = f.changes.apply(docs("demo"));

    assertThat(r.githubStatus()).isEqualTo("rate_limited");
    assertThat(r.githubDetail()).contains("rate limit", "retry");
    assertThat(r.commitHash()).isNotNull();
    assertThat(github.pulls()).isEmpty();
    // The retried request finds its branch and now opens the pull request.
    ChangeResult again = f.changes.apply(docs("demo"));
    assertThat(again.reused()).isTrue();
    assertThat(again.githubStatus()).isEqualTo("created");
  }

  @Test
  void pullRequest_conflict409_reportedAsConflict() {
    github.thenPost(
        new LoopbackGitHub.Canned(409, Map.of(), "{\"message\":\"Head branch was modified.\"}"));

    ChangeResult r = f.changes.apply(docs("demo"));

    assertThat(r.githubStatus()).isEqualTo("conflict");
    assertThat(r.githubDetail()).contains("409", "Head branch was modified");
  }
}
