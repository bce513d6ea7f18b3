package ai.sophia.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.UnavailableException;
import ai.sophia.model.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fly.io deployments against a loopback server speaking the Machines API's format. */
class FlyTargetTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TOKEN = "fo1_test-token-7f3c9a1be2d4";
  private static final String V1 = "registry.fly.io/sophia-demo:v1";
  private static final String V2 = "registry.fly.io/sophia-demo:v2";

  @TempDir Path dir;
  private FlyMachinesServer fly;
  private DeployFixture fx;
  private List<String> original;

  @BeforeEach
  void open() {
    fly = FlyMachinesServer.start("sophia-demo", TOKEN);
    fly.machine("iad", V1);
    fly.machine("iad", V1);
    fly.machine("cdg", V1);
    original = fly.machineIds();
    fx = DeployFixture.open(dir, yaml("FLY_TEST_TOKEN"), Map.of("FLY_TEST_TOKEN", TOKEN));
  }

  private String yaml(String tokenEnv) {
    return "deploy:\n  targets:\n    edge:\n      type: fly\n      app: sophia-demo\n      image: "
        + V1
        + "\n      api_url: "
        + fly.url()
        + "\n      token_env: "
        + tokenEnv
        + "\n      wait_timeout_s: 1\n      health_timeout_ms: 1000\n";
  }

  @AfterEach
  void close() {
    fx.close();
    fly.close();
  }

  private Deployment deploy(String strategy, String image) throws InterruptedException {
    Deployment d =
        fx.deployments.trigger(
            DeployRequest.of("edge", "test").withStrategy(strategy).withVersion(image));
    return fx.deployments.await(d.id(), WAIT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rolling", "immediate", "canary", "bluegreen"})
  void trigger_healthyImage_everyMachineRunsIt(String strategy) throws Exception {
    Deployment d = deploy(strategy, V2);

    assertThat(d.status()).as(d.detail()).isEqualTo(DeploymentStatus.healthy);
    assertThat(fly.images()).hasSize(3).containsOnly(V2);
    assertThat(d.url()).isEqualTo("https://sophia-demo.fly.dev");
    assertThat(d.previousVersion()).isEqualTo(V1);
    assertThat(fly.calls("POST", "/lease")).allMatch(c -> c.status() == 200);
    for (var update : fly.calls("POST", "")) {
      if (original.stream().anyMatch(id -> update.path().endsWith("/machines/" + id))) {
        assertThat(update.nonce()).as("update under lease: " + update).isNotEmpty();
        assertThat(update.status()).isEqualTo(200);
      }
    }
    if (strategy.equals("bluegreen")) {
      assertThat(fly.machineIds()).doesNotContainAnyElementsOf(original);
    } else {
      assertThat(fly.machineIds()).isEqualTo(original);
    }
  }

  @Test
  void trigger_rolling_changesOneMachineAtATime() throws Exception {
    deploy("rolling", V2);

    List<String> order =
        fly.calls().stream()
            .filter(c -> c.path().endsWith("/lease") || c.path().endsWith("/wait"))
            .map(c -> c.method() + " " + c.path().replaceAll(".*/machines/([^/]+)/(\\w+)", "$2 $1"))
            .toList();
    for (String id : original) {
      int lease = order.indexOf("POST lease " + id);
      int started = order.indexOf("GET wait " + id);
      int released = order.indexOf("DELETE lease " + id);
      assertThat(lease).isLessThan(started);
      assertThat(started).isLessThan(released);
      assertThat(order.subList(lease, released + 1)).allMatch(s -> s.endsWith(id));
    }
  }

  @Test
  void trigger_healthCheckFailsMidRollout_rollsChangedMachinesBack() throws Exception {
    fly.failingMachine = original.get(1);

    Deployment d = deploy("rolling", V2);

    assertThat(d.status()).isEqualTo(DeploymentStatus.rolled_back);
    assertThat(d.detail()).contains(original.get(1)).contains("health checks");
    assertThat(fly.images()).containsOnly(V1);
    assertThat(fly.machineIds()).isEqualTo(original);
    // the third machine was never touched
    assertThat(fly.calls("POST", "/machines/" + original.get(2))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"rolling", "immediate", "canary", "bluegreen"})
  void trigger_brokenImage_endsOnThePreviousImage(String strategy) throws Exception {
    Deployment d = deploy(strategy, "registry.fly.io/sophia-demo:broken");

    assertThat(d.status()).as(d.detail()).isEqualTo(DeploymentStatus.rolled_back);
    assertThat(fly.images()).hasSize(3).containsOnly(V1);
    assertThat(fly.machineIds()).isEqualTo(original);
    if (strategy.equals("canary") || strategy.equals("bluegreen")) {
      assertThat(original).allMatch(id -> fly.calls("POST", "/machines/" + id).isEmpty());
    }
  }

  @Test
  void trigger_machineSlowerThanOneWait_waitsAgainAfter408() throws Exception {
    fly.startDelayMs = 1500;

    Deployment d = deploy("immediate", V2);

    assertThat(d.status()).as(d.detail()).isEqualTo(DeploymentStatus.healthy);
    assertThat(fly.calls("GET", "/wait")).anyMatch(c -> c.status() == 408);
    assertThat(fx.deployments.events(d.id(), 0, 500))
        .extracting(DeployEvent::text)
        .anyMatch(t -> t.contains("not started yet, waiting again"));
  }

  @Test
  void rollback_onRequest_restoresTheImageFoundBefore() throws Exception {
    Deployment v2 = deploy("rolling", V2);

    Deployment back = fx.deployments.await(fx.deployments.rollback(v2.id(), "test", "").id(), WAIT);

    assertThat(back.status()).isEqualTo(DeploymentStatus.healthy);
    assertThat(back.version()).isEqualTo(V1);
    assertThat(fly.images()).containsOnly(V1);
  }

  @Test
  void trigger_anyOutcome_neverLogsTheToken() throws Exception {
    try (LogCapture logs = LogCapture.everything()) {
      deploy("rolling", V2);
      fx.close();
      fx =
          DeployFixture.open(
              dir, yaml("FLY_TEST_TOKEN"), Map.of("FLY_TEST_TOKEN", "wrong-" + TOKEN));
      Deployment refused = deploy("rolling", V2);

      assertThat(refused.status()).isEqualTo(DeploymentStatus.failed);
      assertThat(refused.detail()).contains("401");
      assertThat(logs.lines()).isNotEmpty().noneMatch(l -> l.contains(TOKEN));
      for (Deployment d : fx.deployments.history("edge", 10)) {
        assertThat(fx.deployments.events(d.id(), 0, 1000))
            .noneMatch(e -> e.text().contains(TOKEN) || e.detail().contains(TOKEN));
        assertThat(d.detail()).doesNotContain(TOKEN);
      }
    }
    assertThat(fly.authorizations()).contains("Bearer " + TOKEN);
  }

  @Test
  void trigger_tokenNotSet_isUnavailable() {
    fx.close();
    fx = DeployFixture.open(dir, yaml("FLY_MISSING_TOKEN"), Map.of());

    assertThatThrownBy(() -> fx.deployments.trigger(DeployRequest.of("edge", "test")))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("FLY_MISSING_TOKEN");
    assertThat(fx.deployments.targets().getFirst().unavailable()).contains("FLY_MISSING_TOKEN");
  }

  @Test
  void trigger_machineNeverStartsBeforeTheDeadline_rollsChangedMachinesBack() throws Exception {
    fx.close();
    fx =
        DeployFixture.open(
            dir,
            yaml("FLY_TEST_TOKEN").replace("deploy:\n", "deploy:\n  timeout_ms: 2500\n"),
            Map.of("FLY_TEST_TOKEN", TOKEN));
    fly.stuckMachine = original.get(1);

    Deployment d = deploy("rolling", V2);

    assertThat(d.status()).as(d.detail()).isEqualTo(DeploymentStatus.rolled_back);
    assertThat(d.detail()).contains("deadline");
    assertThat(fly.images()).containsOnly(V1);
    assertThat(fly.calls("GET", "/wait")).anyMatch(c -> c.status() == 408);
  }
}
