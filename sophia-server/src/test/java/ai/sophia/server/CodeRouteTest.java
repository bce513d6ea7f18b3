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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /api/v1/code/modify over real HTTP, committing to a real bare repository. */
class CodeRouteTest {
  private static final String JSON = "application/json";
  private static final String TOKEN = "ghp_routeTestToken_abcdef123456";

  @TempDir Path dir;
  private Path remote;
  private LoopbackGitHub github;
  private TestServer server;

  @BeforeEach
  void start() {
    remote = GitRemotes.bare(dir.resolve("demo.git"));
    java.nio.file.Path data = dir.resolve("data");
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
}
