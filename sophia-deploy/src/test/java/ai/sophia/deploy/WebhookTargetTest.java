package ai.sophia.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sophia.error.UnavailableException;
import ai.sophia.web.LoopbackServer;
import ai.sophia.web.LoopbackServer.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook target against a real loopback deploy service that checks the signature as a receiver
 * would (HMAC-SHA256 over timestamp.body, computed here independently), deploys the version it is
 * sent, and reports healthy unless that version is broken.
 */
class WebhookTargetTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SECRET = "whsec-test-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private LoopbackServer service;
  private DeployFixture fx;
  private final AtomicReference<String> current = new AtomicReference<>("");
  private final List<JsonNode> accepted = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    service = LoopbackServer.start();
    service.route(
        "/hook",
        request -> {
          String timestamp = request.header("x-sophia-timestamp").orElse("");
          String expected = "sha256=" + hmac(timestamp + "." + request.body());
          if (!request.header("x-sophia-signature").orElse("").equals(expected)
              || Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return Reply.status(401);
          }
          JsonNode event = JSON.readTree(request.body());
          accepted.add(event);
          current.set(event.get("version").asText());
          return Reply.json("{\"accepted\":\"" + event.get("action").asText() + "\"}");
        });
    service.route(
        "/slow",
        request -> {
          Thread.sleep(3_000);
          return Reply.status(200);
        });
    service.route(
        "/health",
        request ->
            current.get().isEmpty() || current.get().startsWith("broken")
                ? Reply.status(503)
                : Reply.of(200, "text/plain", "ok " + current.get()));
    String yaml =
        "deploy:\n  targets:\n"
            + target("app", "/hook", "HOOK_SECRET", 5_000)
            + target("wrongsecret", "/hook", "OTHER_SECRET", 5_000)
            + target("slow", "/slow", "HOOK_SECRET", 300)
            + target("nosecret", "/hook", "UNSET_SECRET", 5_000);
    fx =
        DeployFixture.open(
            dir, yaml, Map.of("HOOK_SECRET", SECRET, "OTHER_SECRET", "not-the-receivers"));
  }

  private String target(String name, String path, String secretEnv, int timeoutMs) {
    return "    "
        + name
        + ":\n      type: webhook\n      webhook_url: "
        + service.url(path)
        + "\n      secret_env: "
        + secretEnv
        + "\n      timeout_ms: "
        + timeoutMs
        + "\n      health_url: "
        + service.url("/health")
        + "\n      health_timeout_ms: 800\n";
  }

  @AfterEach
  void close() {
    fx.close();
    service.close();
  }

  private static String hmac(String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
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
  void trigger_signedHookAcceptsAndHealthy_isHealthyWithTheEventItWasSent() throws Exception {
    Deployment d = deploy("app", "v1");

    assertThat(d.status()).as(log(d)).isEqualTo(DeploymentStatus.healthy);
    assertThat(accepted)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.get("action").asText()).isEqualTo("deploy");
              assertThat(e.get("version").asText()).isEqualTo("v1");
              assertThat(e.get("environment").asText()).isEqualTo("staging");
              assertThat(e.get("deployment_id").asText()).isEqualTo(d.id());
              assertThat(e.get("target").asText()).isEqualTo("app");
            });
    assertThat(log(d)).contains("the hook answered HTTP 200").contains("health check passed");
    assertThat(log(d)).doesNotContain(SECRET);
  }

  @Test
  void trigger_unhealthyVersion_callsTheHookToRollBackToThePreviousVersion() throws Exception {
    deploy("app", "v1");

    Deployment broken = deploy("app", "broken-2");

    assertThat(broken.status()).as(log(broken)).isEqualTo(DeploymentStatus.rolled_back);
    assertThat(accepted)
        .extracting(e -> e.get("action").asText() + " " + e.get("version").asText())
        .containsExactly("deploy v1", "deploy broken-2", "rollback v1");
    assertThat(current.get()).isEqualTo("v1");
  }

  @Test
  void rollback_onRequest_callsTheHookWithActionRollback() throws Exception {
    deploy("app", "v1");
    Deployment v2 = deploy("app", "v2");

    Deployment back = fx.deployments.await(fx.deployments.rollback(v2.id(), "test", "").id(), WAIT);

    assertThat(back.status()).as(log(back)).isEqualTo(DeploymentStatus.healthy);
    assertThat(accepted.getLast().get("action").asText()).isEqualTo("rollback");
    assertThat(current.get()).isEqualTo("v1");
  }

  @Test
  void trigger_signatureTheReceiverRefuses_failsNamingTheAnswer() throws Exception {
    Deployment d = deploy("wrongsecret", "v1");

    assertThat(d.status()).isEqualTo(DeploymentStatus.failed);
    assertThat(d.detail()).contains("the hook answered HTTP 401");
    assertThat(accepted).isEmpty();
  }

  @Test
  void trigger_hookSlowerThanItsTimeout_fails() throws Exception {
    Deployment d = deploy("slow", "v1");

    assertThat(d.status()).isEqualTo(DeploymentStatus.failed);
    assertThat(d.detail()).contains("did not answer within");
    assertThat(d.duration(d.finishedAt()).toMillis()).isLessThan(2_500);
  }

  @Test
  void trigger_secretNotInTheEnvironment_refusedNamingTheVariable() {
    assertThatThrownBy(() -> fx.deployments.trigger(DeployRequest.of("nosecret", "test")))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("UNSET_SECRET");
  }
}
