package ai.sophia.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's deploy command run for real ({@code sh}): it writes the version it deployed to a
 * file, and a real loopback HTTP server reports healthy unless that version is broken.
 */
class CommandTargetTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private LoopbackServer app;
  private DeployFixture fx;

  @BeforeEach
  void open() {
    app = LoopbackServer.start();
    app.route(
        "/health",
        request -> {
          Path current = dir.resolve("current.txt");
          String version = Files.exists(current) ? Files.readString(current).strip() : "";
          return version.startsWith("broken") || version.isEmpty()
              ? Reply.status(503)
              : Reply.of(200, "text/plain", "ok " + version);
        });
    String yaml =
        "deploy:\n  targets:\n"
            + target("app", true, 20_000)
            + target("norollback", false, 20_000)
            + target("slow", false, 300);
    fx = DeployFixture.open(dir, yaml, Map.of());
  }

  private String target(String name, boolean rollback, int timeoutMs) {
    String deploy =
        name.equals("slow")
            ? "sleep 5"
            : "echo deploying $SOPHIA_DEPLOY_VERSION to {environment}; echo {version} > current.txt";
    return "    "
        + name
        + ":\n      type: command\n      command: [sh, -c, \""
        + deploy
        + "\"]\n"
        + (rollback
            ? "      rollback_command: [sh, -c, \"echo rolling back to {version}; echo {version} >"
                + " current.txt\"]\n"
            : "")
        + "      working_dir: \""
        + dir
        + "\"\n      timeout_ms: "
        + timeoutMs
        + "\n      health_url: "
        + app.url("/health")
        + "\n      health_timeout_ms: 800\n";
  }

  @AfterEach
  void close() {
    fx.close();
    app.close();
  }

  private Deployment deploy(String target, String version) throws InterruptedException {
    Deployment d =
        fx.deployments.trigger(
            DeployRequest.of(target, "test").withVersion(version).withEnvironment("staging"));
    return fx.deployments.await(d.id(), WAIT);
  }

  private String log(Deployment d) {
    return String.join(
        "\n", fx.deployments.events(d.id(), 0, 500).stream().map(DeployEvent::text).toList());
  }

  @Test
  void trigger_commandSucceedsAndHealthy_isHealthyWithItsOutputAsLog() throws Exception {
    Deployment d = deploy("app", "v1");

    assertThat(d.status()).isEqualTo(DeploymentStatus.healthy);
    assertThat(log(d)).contains("| deploying v1 to staging").contains("health check passed");
    assertThat(Files.readString(dir.resolve("current.txt")).strip()).isEqualTo("v1");
  }

  @Test
  void trigger_unhealthyVersion_runsRollbackCommandWithThePreviousVersion() throws Exception {
    deploy("app", "v1");

    Deployment broken = deploy("app", "broken-2");

    assertThat(broken.status()).isEqualTo(DeploymentStatus.rolled_back);
    assertThat(log(broken)).contains("| rolling back to v1");
    assertThat(Files.readString(dir.resolve("current.txt")).strip()).isEqualTo("v1");
    assertThat(DeployFixture.get(app.url("/health"))).isEqualTo("ok v1");
  }

  @Test
  void rollback_onRequest_runsTheRollbackCommand() throws Exception {
    deploy("app", "v1");
    Deployment v2 = deploy("app", "v2");

    Deployment back = fx.deployments.await(fx.deployments.rollback(v2.id(), "test", "").id(), WAIT);

    assertThat(back.status()).isEqualTo(DeploymentStatus.healthy);
    assertThat(log(back)).contains("| rolling back to v1");
    assertThat(Files.readString(dir.resolve("current.txt")).strip()).isEqualTo("v1");
    assertThat(fx.deployments.find(v2.id()).orElseThrow().status())
        .isEqualTo(DeploymentStatus.rolled_back);
  }

  @Test
  void trigger_unhealthyWithoutRollbackCommand_fails() throws Exception {
    Deployment d = deploy("norollback", "broken-1");

    assertThat(d.status()).isEqualTo(DeploymentStatus.failed);
    assertThat(d.detail()).contains("is not healthy");
  }

  @Test
  void trigger_commandOverItsTimeout_isStoppedAndFails() throws Exception {
    Deployment d = deploy("slow", "v1");

    assertThat(d.status()).isEqualTo(DeploymentStatus.failed);
    assertThat(d.detail()).contains("timed out");
    assertThat(d.duration(d.finishedAt()).toMillis()).isLessThan(4000);
  }
}
