package ai.sophia.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.ConflictException;
import ai.sophia.error.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real local service (python3's HTTP server) deployed, broken, rolled back and restarted. */
class LocalProcessTargetTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private DeployFixture fx;

  @BeforeEach
  void open() {
    Path service = DeployFixture.service(dir);
    fx =
        DeployFixture.open(
            dir,
            "deploy:\n  targets:\n" + DeployFixture.localTarget("web", service, 4000),
            Map.of());
  }

  @AfterEach
  void close() {
    fx.close();
  }

  private Deployment deploy(String version) throws InterruptedException {
    Deployment d = fx.deployments.trigger(DeployRequest.of("web", "test").withVersion(version));
    return fx.deployments.await(d.id(), WAIT);
  }

  @Test
  void trigger_healthyVersion_servesItAtTheUrl() throws Exception {
    Deployment d = deploy("v1");

    assertThat(d.status()).isEqualTo(DeploymentStatus.healthy);
    assertThat(d.id()).matches("deploy-[0-9a-f]{8}");
    assertThat(DeployFixture.get(d.url() + "/")).isEqualTo("version v1");
    assertThat(fx.deployments.events(d.id(), 0, 100))
        .filteredOn(e -> e.kind().equals("status"))
        .extracting(DeployEvent::text)
        .containsExactly("requested", "running", "healthy");
    assertThat(d.duration(Instant.now())).isPositive();
  }

  @Test
  void trigger_versionNeverHealthy_stopsItAndOldKeepsAnswering() throws Exception {
    Deployment v1 = deploy("v1");

    Deployment broken = deploy("broken-2");

    assertThat(broken.status()).isEqualTo(DeploymentStatus.rolled_back);
    assertThat(broken.detail()).contains("never became healthy").contains(v1.id());
    assertThat(DeployFixture.get(v1.url() + "/")).isEqualTo("version v1");
    assertThat(DeployFixture.running(v1)).isTrue();
    assertThat(fx.deployments.events(broken.id(), 0, 200))
        .extracting(DeployEvent::text)
        .anyMatch(t -> t.contains("health check failed"))
        .anyMatch(t -> t.contains("stopped the new version"));
  }

  @Test
  void trigger_firstVersionNeverHealthy_fails() throws Exception {
    Deployment broken = deploy("broken-1");

    assertThat(broken.status()).isEqualTo(DeploymentStatus.failed);
    assertThat(broken.pid()).isZero();
  }

  @Test
  void trigger_newHealthyVersion_replacesTheOldOnTheOtherPort() throws Exception {
    Deployment v1 = deploy("v1");

    Deployment v2 = deploy("v2");

    assertThat(v2.status()).isEqualTo(DeploymentStatus.healthy);
    assertThat(v2.port()).isNotEqualTo(v1.port());
    assertThat(DeployFixture.get(v2.url() + "/")).isEqualTo("version v2");
    assertThat(DeployFixture.running(v1)).isFalse();
    assertThat(DeployFixture.get(v1.url() + "/")).startsWith("unreachable");
    assertThat(v2.previousVersion()).isEqualTo("v1");
  }

  @Test
  void rollback_onRequest_bringsThePreviousVersionBack() throws Exception {
    Deployment v1 = deploy("v1");
    Deployment v2 = deploy("v2");

    Deployment back = fx.deployments.rollback(v2.id(), "test", "");
    back = fx.deployments.await(back.id(), WAIT);

    assertThat(back.status()).isEqualTo(DeploymentStatus.healthy);
    assertThat(back.version()).isEqualTo("v1");
    assertThat(back.rollbackOf()).isEqualTo(v2.id());
    assertThat(DeployFixture.get(back.url() + "/")).isEqualTo("version v1");
    assertThat(fx.deployments.find(v2.id()).orElseThrow().status())
        .isEqualTo(DeploymentStatus.rolled_back);
    assertThat(DeployFixture.running(v1)).isFalse();
    assertThatThrownBy(() -> fx.deployments.rollback(v1.id(), "test", ""))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("current healthy deployment");
  }

  @Test
  void rollback_nothingBefore_isRefused() throws Exception {
    Deployment v1 = deploy("v1");

    assertThatThrownBy(() -> fx.deployments.rollback(v1.id(), "test", ""))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("nothing to roll back to");
  }

  @Test
  void trigger_sameTargetTwiceAtOnce_secondIsRefusedAndNothingInterleaves() throws Exception {
    Deployment first = fx.deployments.trigger(DeployRequest.of("web", "a").withVersion("v1"));

    assertThatThrownBy(() -> fx.deployments.trigger(DeployRequest.of("web", "b").withVersion("v2")))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining(first.id());
    Deployment done = fx.deployments.await(first.id(), WAIT);
    assertThat(done.status())
        .as(fx.deployments.events(first.id(), 0, 100).toString())
        .isEqualTo(DeploymentStatus.healthy);
    assertThat(fx.deployments.history("web", 10)).hasSize(1);
    Deployment second = deploy("v2");
    assertThat(second.status()).as(second.detail()).isEqualTo(DeploymentStatus.healthy);
  }

  @Test
  void open_afterRestart_findsTheRunningServiceAndReplacesIt() throws Exception {
    Deployment v1 = deploy("v1");

    fx.reopen();
    Deployment v2 = deploy("v2");

    assertThat(v2.status()).as(v2.detail()).isEqualTo(DeploymentStatus.healthy);
    assertThat(DeployFixture.running(v1)).isFalse();
    assertThat(DeployFixture.get(v2.url() + "/")).isEqualTo("version v2");
  }

  @Test
  void open_deploymentOfADeadProcess_isMarkedInterrupted() {
    Instant now = Instant.now();
    fx.store.insert(
        new Deployment(
            "deploy-0badf00d",
            "web",
            "local",
            "production",
            "bluegreen",
            "v9",
            "",
            "test",
            DeploymentStatus.running,
            "",
            "",
            "",
            "",
            "999999999@1",
            0,
            0,
            0,
            now,
            now,
            Instant.EPOCH));

    fx.reopen();

    Deployment d = fx.deployments.find("deploy-0badf00d").orElseThrow();
    assertThat(d.status()).isEqualTo(DeploymentStatus.failed);
    assertThat(d.detail()).startsWith("interrupted");
    assertThat(fx.deployments.history("web", 10)).extracting(Deployment::id).contains(d.id());
  }

  @Test
  void trigger_badFields_nameTheField() {
    assertThatThrownBy(() -> fx.deployments.trigger(DeployRequest.of("nope", "t")))
        .isInstanceOf(InvalidInputException.class)
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo("target");
    for (var bad :
        List.of(
            Map.entry("strategy", DeployRequest.of("web", "t").withStrategy("canary")),
            Map.entry("environment", DeployRequest.of("web", "t").withEnvironment("Prod!")),
            Map.entry("deployment_type", DeployRequest.of("web", "t").withType("fast", false)))) {
      assertThatThrownBy(() -> fx.deployments.trigger(bad.getValue()))
          .isInstanceOf(InvalidInputException.class)
          .extracting(e -> ((InvalidInputException) e).field())
          .isEqualTo(bad.getKey());
    }
    assertThat(fx.deployments.history("", 10)).isEmpty();
  }
}
