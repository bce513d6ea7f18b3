package ai.sophia.server;

import static ai.sophia.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.code.GitRemotes;
import ai.sophia.code.LoopbackGitHub;
import ai.sophia.security.Role;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** POST /api/v1/code/modify over real HTTP, committing to a real bare repository. */
class CodeRouteTest {
  private static final String JSON = "application/json";
  private static final String TOKEN = "ghp_routeTestToken_abcdef123456";

  @TempDir Path dir;
  private Path remote;
  private Path data;
  private LoopbackGitHub github;
  private TestServer server;

  @BeforeEach
  void start() {
    remote = GitRemotes.bare(dir.resolve("demo.git"));
    data = dir.resolve("data");
    try {
      java.nio.file.Files.createDirectories(data);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    github = LoopbackGitHub.start("acme", "demo", TOKEN);
    server =
        TestServer.withTools(
            data,
            Map.of("DEMO_TOKEN", TOKEN),
            "code:\n  repositories:\n    demo:\n      url: "
                + remote
                + "\n      token_env: DEMO_TOKEN\n      github: {api_url: "
                + github.apiUrl()
                + ", owner: acme, repo: demo}\n");
  }

  @AfterEach
  void stop() {
    server.close();
    github.close();
  }

  @Test
  void modify_specFields_commitsAndOpensPullRequest() {
    String key = server.key(Role.developer);

    HttpResponse<String> r =
        server.post(
            "/api/v1/code/modify",
            JSON,
            "{\"content\":\"# Hello\\n\",\"commit_message\":\"docs: hello\"}",
            "X-API-Key",
            key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode body = json(r);
    assertThat(body.get("file_path").asText()).isEqualTo("auto_generated.md");
    assertThat(body.get("branch_name").asText()).startsWith("sophia/docs-hello-");
    assertThat(body.get("commit_hash").asText())
        .isEqualTo(GitRemotes.tip(remote, body.get("branch_name").asText()).getName());
    assertThat(body.get("pr_number").asInt()).isEqualTo(1);
    assertThat(body.get("pr_url").asText()).endsWith("/pull/1");
    assertThat(body.get("github_status").asText()).isEqualTo("created");
    assertThat(body.has("timestamp")).isTrue();

    HttpResponse<String> again =
        server.post(
            "/api/v1/code/modify",
            JSON,
            "{\"content\":\"# Hello\\n\",\"commit_message\":\"docs: hello\"}",
            "X-API-Key",
            key);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(json(again).get("commit_hash")).isEqualTo(body.get("commit_hash"));
    assertThat(github.pulls()).hasSize(1);

    JsonNode changes = json(server.get("/api/v1/code/changes?limit=5", "X-API-Key", key));
    assertThat(changes.at("/changes/0/detail/reused").asBoolean()).isTrue();
    JsonNode recorded = changes.at("/changes/1");
    assertThat(recorded.at("/status").asText()).isEqualTo("succeeded");
    assertThat(recorded.at("/detail/branch_name")).isEqualTo(body.get("branch_name"));
    assertThat(recorded.at("/detail/commit_hash")).isEqualTo(body.get("commit_hash"));
    assertThat(recorded.at("/detail/pr_url").asText()).endsWith("/pull/1");
    assertThat(recorded.at("/detail/diff").asText()).contains("+# Hello");
  }

  @Test
  void modify_badRequests_refusedWithClearProblems() {
    String dev = server.key(Role.developer);
    String user = server.key(Role.user);
    String admin = server.key(Role.admin);
    String workflow =
        "{\"files\":[{\"path\":\".github/workflows/ci.yml\",\"content\":\"on: push\\n\"}]";

    assertThat(
            server
                .post("/api/v1/code/modify", JSON, "{\"content\":\"x\"}", "X-API-Key", user)
                .statusCode())
        .isEqualTo(403);
    HttpResponse<String> traversal =
        server.post(
            "/api/v1/code/modify",
            JSON,
            "{\"files\":[{\"path\":\"../x\",\"content\":\"x\"}]}",
            "X-API-Key",
            dev);
    assertThat(traversal.statusCode()).isEqualTo(400);
    assertThat(json(traversal).get("field").asText()).isEqualTo("files[0].path");
    HttpResponse<String> protectedPath =
        server.post("/api/v1/code/modify", JSON, workflow + "}", "X-API-Key", dev);
    assertThat(protectedPath.statusCode()).isEqualTo(403);
    assertThat(json(protectedPath).get("detail").asText()).contains(".github/workflows/ci.yml");
    assertThat(
            server
                .post(
                    "/api/v1/code/modify",
                    JSON,
                    workflow + ",\"approve_protected\":true}",
                    "X-API-Key",
                    dev)
                .statusCode())
        .isEqualTo(403);
    HttpResponse<String> dry =
        server.post(
            "/api/v1/code/modify",
            JSON,
            workflow + ",\"approve_protected\":true,\"dry_run\":true}",
            "X-API-Key",
            admin);
    assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
    assertThat(json(dry).get("diff").asText()).contains("+on: push");
    assertThat(GitRemotes.branches(remote)).containsExactly("main");
    HttpResponse<String> conflict =
        server.post(
            "/api/v1/code/modify",
            JSON,
            "{\"content\":\"x\",\"files\":[{\"path\":\"a\",\"content\":\"b\"}]}",
            "X-API-Key",
            dev);
    assertThat(conflict.statusCode()).isEqualTo(400);
  }

  static Stream<Arguments> invalidPathsAndBranches() {
    String longName = "n".repeat(256);
    String longBranch = "\u20ac".repeat(90);
    return Stream.of(
        Arguments.of("{\"content\":\"x\",\"file_path\":\"a\\ud800.md\"}", "file_path"),
        Arguments.of("{\"content\":\"x\",\"file_path\":\"../x\"}", "file_path"),
        Arguments.of("{\"content\":\"x\",\"file_path\":\"docs/" + longName + ".md\"}", "file_path"),
        Arguments.of(
            "{\"files\":[{\"path\":\"docs/\\udc00\",\"content\":\"x\"}]}", "files[0].path"),
        Arguments.of(
            "{\"files\":[{\"path\":\"" + longName + "/f.md\",\"content\":\"x\"}]}",
            "files[0].path"),
        Arguments.of("{\"content\":\"x\",\"branch_name\":\"\\ud800\"}", "branch_name"),
        Arguments.of("{\"content\":\"x\",\"branch_name\":\"fix-\\udfff\"}", "branch_name"),
        Arguments.of("{\"content\":\"x\",\"branch_name\":\"-x\"}", "branch_name"),
        Arguments.of(
            "{\"content\":\"x\",\"branch_name\":\"fix/" + longBranch + "\"}", "branch_name"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("invalidPathsAndBranches")
  void modify_invalidPathOrBranch_400NamingTheField(String body, String field) {
    HttpResponse<String> r =
        server.post("/api/v1/code/modify", JSON, body, "X-API-Key", server.key(Role.developer));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(json(r).get("field").asText()).isEqualTo(field);
    assertNoInternals(r);
    assertThat(GitRemotes.branches(remote)).containsExactly("main");
  }

  @Test
  void modify_branchNestedUnderAnEarlierDryRunsBranch_commits() {
    String dev = server.key(Role.developer);

    HttpResponse<String> dry =
        server.post(
            "/api/v1/code/modify",
            JSON,
            "{\"content\":\"x\",\"branch_name\":\"a\",\"dry_run\":true}",
            "X-API-Key",
            dev);
    HttpResponse<String> nested =
        server.post(
            "/api/v1/code/modify",
            JSON,
            "{\"content\":\"y\",\"branch_name\":\"a/b\"}",
            "X-API-Key",
            dev);

    assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
    assertThat(nested.statusCode()).as(nested.body()).isEqualTo(201);
    assertThat(json(nested).get("branch_name").asText()).isEqualTo("a/b");
    assertThat(GitRemotes.branches(remote)).containsExactlyInAnyOrder("main", "a/b");
    assertNoInternals(nested);
  }

  @Test
  void modify_workingCopyFails_detailHidesTheDataDirectory() throws Exception {
    String dev = server.key(Role.developer);
    // A file where the working copies' folder belongs: the file system's error names its path.
    java.nio.file.Files.writeString(data.resolve("workspaces"), "not a folder");

    HttpResponse<String> r =
        server.post("/api/v1/code/modify", JSON, "{\"content\":\"x\"}", "X-API-Key", dev);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    assertThat(json(r).get("detail").asText()).contains("<workspaces>");
    assertNoInternals(r);
  }

  private void assertNoInternals(HttpResponse<String> r) {
    assertThat(r.body())
        .doesNotContain("Exception", "at ai.sophia")
        .doesNotContain(data.toAbsolutePath().toString());
  }
}
