package ai.sophia.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A deploy hook of the operator's own (a CI pipeline, an internal deploy service): Sophia POSTs the
 * deployment as JSON to {@code webhook_url}, signed with HMAC-SHA256 over {@code
 * <timestamp>.<body>} with the secret in the environment variable {@code secret_env}, so the
 * receiver can check the sender and refuse replays. A 2xx answer within {@code timeout_ms} means
 * the hook took it; then {@code health_url} is probed. When the hook fails or the probe does, the
 * hook is called again with {@code "action": "rollback"} and the previous healthy version, and the
 * deployment ends {@code rolled_back}; without an earlier healthy deployment it ends {@code
 * failed}. A rollback on request is one such rollback call.
 */
final class WebhookTarget implements Target {
  static final String SIGNATURE_HEADER = "X-Sophia-Signature";
  static final String TIMESTAMP_HEADER = "X-Sophia-Timestamp";
  private static final int MAX_LOGGED_BODY = 2_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final URI webhook;
  private final String secretEnv;
  private final Optional<String> secret;
  private final Optional<URI> healthUrl;
  private final Duration timeout;
  private final Duration healthTimeout;
  private final String url;
  private final HttpClient http;
  private final HealthProbe probe;

  WebhookTarget(
      String name,
      URI webhook,
      String secretEnv,
      Optional<String> secret,
      Optional<URI> healthUrl,
      Duration timeout,
      Duration healthTimeout,
      String url,
      HttpClient http,
      HealthProbe probe) {
    this.name = name;
    this.webhook = webhook;
    this.secretEnv = secretEnv;
    this.secret = secret.filter(s -> !s.isBlank());
    this.healthUrl = healthUrl;
    this.timeout = timeout;
    this.healthTimeout = healthTimeout;
    this.url = url;
    this.http = http;
    this.probe = probe;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "webhook";
  }

  @Override
  public List<String> strategies() {
    return List.of("standard");
  }

  @Override
  public String defaultVersion() {
    return "";
  }

  @Override
  public Optional<String> unavailable() {
    return secret.isPresent()
        ? Optional.empty()
        : Optional.of(
            "the webhook's signing secret is not set: set the environment variable " + secretEnv);
  }

  @Override
  public Set<String> secrets() {
    return secret.map(Set::of).orElse(Set.of());
  }

  @Override
  public Outcome deploy(DeployJob job) throws InterruptedException {
    Outcome o =
        RollBack.run(
            job,
            true,
            "deploy hook",
            "rollback hook",
            (back, version) -> callAndProbe(job, back ? "rollback" : "deploy", version),
            url);
    return o.status() == DeploymentStatus.healthy
        ? Outcome.healthy(o.detail() + probed(), o.url())
        : o;
  }

  /** One signed call of the hook with {@code version}, then the probe; empty when both passed. */
  private Optional<String> callAndProbe(DeployJob job, String action, String version)
      throws InterruptedException {
    Deployment d = job.deployment();
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("action", action);
    event.put("deployment_id", d.id());
    event.put("target", name);
    event.put("version", version);
    event.put("previous_version", job.previous().map(Deployment::version).orElse(""));
    event.put("environment", d.environment());
    event.put("requested_by", d.requestedBy());
    event.put("timestamp", Instant.now().toString());
    String body;
    try {
      body = JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a webhook event must always serialize", e);
    }
    String timestamp = Long.toString(Instant.now().getEpochSecond());
    Duration wait = job.upTo(timeout);
    HttpRequest request =
        HttpRequest.newBuilder(webhook)
            .timeout(wait.isZero() ? Duration.ofMillis(1) : wait)
            .header("Content-Type", "application/json")
            .header("User-Agent", "Sophia-Deploy")
            .header("X-Sophia-Event", action)
            .header("X-Sophia-Delivery", d.id() + "/" + action + "/" + version)
            .header(
                "Idempotency-Key",
                (d.idempotencyKey().isEmpty() ? d.id() : d.idempotencyKey())
                    + "/"
                    + action
                    + "/"
                    + version)
            .header(TIMESTAMP_HEADER, timestamp)
            .header(SIGNATURE_HEADER, "sha256=" + sign(timestamp + "." + body))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    job.log("POST " + webhook + " (" + action + " " + RollBack.label(version) + ")");
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      return Optional.of("the hook did not answer within " + wait.toMillis() + " ms");
    } catch (IOException e) {
      return Optional.of("the hook could not be reached: " + e.getMessage());
    }
    String answer = response.body() == null ? "" : response.body().strip();
    if (!answer.isEmpty()) {
      answer
          .lines()
          .limit(20)
          .forEach(
              line ->
                  job.log(
                      "| "
                          + (line.length() > MAX_LOGGED_BODY
                              ? line.substring(0, MAX_LOGGED_BODY) + "…"
                              : line)));
    }
    if (response.statusCode() / 100 != 2) {
      return Optional.of("the hook answered HTTP " + response.statusCode());
    }
    job.log("the hook answered HTTP " + response.statusCode());
    if (healthUrl.isPresent()) {
      HealthProbe.Result r =
          probe.await(healthUrl.get(), job.upTo(healthTimeout), () -> false, job::log);
      if (!r.healthy()) {
        return Optional.of(healthUrl.get() + " is not healthy (" + r.detail() + ")");
      }
    }
    return Optional.empty();
  }

  /** HMAC-SHA256 of {@code text} with the signing secret, as lowercase hex. */
  String sign(String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(
          new SecretKeySpec(secret.orElseThrow().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private String probed() {
    return healthUrl.map(u -> ", " + u + " healthy").orElse(" (no health_url to probe)");
  }
}
