package ai.sophia.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.model.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token authentication over smart HTTP, served by git http-backend, and no token in any log. */
class GitHttpAuthTest {
  static final String TOKEN = "ghs_httpBackendToken_9f8e7d6c5b4a";

  @TempDir Path tmp;
  GitHttpBackend backend;
  LoopbackGitHub github;

  @BeforeEach
  void setUp() {
    Assumptions.assumeTrue(Files.isExecutable(GitHttpBackend.CGI), "git http-backend is installed");
    GitRemotes.bare(tmp.resolve("srv/demo.git"));
    backend = GitHttpBackend.start(tmp.resolve("srv"), CodeChanges.GIT_USER, TOKEN);
    github = LoopbackGitHub.start("acme", "demo", TOKEN);
  }

  @AfterEach
  void tearDown() {
    if (backend != null) {
      backend.close();
      github.close();
    }
  }

  private CodeFixture fixture(String dir, Map<String, String> env) {
    return new CodeFixture(
        tmp.resolve(dir),
        "    demo:\n      url: "
            + backend.url("demo.git")
            + "\n      token_env: DEMO_TOKEN\n      github: {api_url: "
            + github.apiUrl()
            + ", owner: acme, repo: demo}\n",
        env);
  }

  @Test
  void apply_overHttpWithToken_clonesPushesAndOpensPullRequest() {
    try (LogCapture logs = LogCapture.everything();
        CodeFixture f = fixture("data", Map.of("DEMO_TOKEN", TOKEN))) {
      ChangeResult r =
          f.changes.apply(ChangeRequest.of("demo", List.of(FileChange.write("hello.txt", "hi\n"))));

      assertThat(GitRemotes.read(tmp.resolve("srv/demo.git"), r.branchName(), "hello.txt"))
          .isEqualTo("hi\n");
      assertThat(r.githubStatus()).isEqualTo("created");
      assertThat(logs.lines()).isNotEmpty().noneMatch(line -> line.contains(TOKEN));
    }
  }

  @Test
  void apply_wrongOrMissingToken_failsClearlyWithoutTheTokenAnywhere() {
    String wrong = "ghs_wrongToken_000111222333";
    try (LogCapture logs = LogCapture.everything();
        CodeFixture f = fixture("data-wrong", Map.of("DEMO_TOKEN", wrong))) {
      assertThatThrownBy(
              () ->
                  f.changes.apply(
                      ChangeRequest.of("demo", List.of(FileChange.write("x.txt", "x\n")))))
          .isInstanceOf(GitFailedException.class)
          .hasMessageContaining("repository 'demo'")
          .hasMessageNotContaining(wrong)
          .hasMessageNotContaining(TOKEN);
      assertThat(backend.refused()).isPositive();
      assertThat(logs.lines()).noneMatch(line -> line.contains(wrong) || line.contains(TOKEN));
      assertThat(f.operations.recentTasks(1).getFirst().detailJson()).doesNotContain(wrong);
    }
    try (CodeFixture f = fixture("data-none", Map.of())) {
      assertThatThrownBy(
              () ->
                  f.changes.apply(
                      ChangeRequest.of("demo", List.of(FileChange.write("x.txt", "x\n")))))
          .isInstanceOf(GitFailedException.class);
    }
  }
}
