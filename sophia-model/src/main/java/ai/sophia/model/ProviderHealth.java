package ai.sophia.model;

import ai.sophia.health.HealthCheck;
import ai.sophia.health.HealthStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * /health for model providers: one non-critical check per configured provider, {@code
 * model.<provider>}, answered from its last real call, never by a paid call (as search engines do).
 * The OpenAI-compatible server is local and free, so it is also probed with {@code GET
 * <base_url>/models}.
 */
final class ProviderHealth {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Map<String, ProviderClient> providers;
  private final boolean offline;
  private final HttpClient probe =
      HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();

  ProviderHealth(Map<String, ProviderClient> providers, boolean offline) {
    this.providers = providers;
    this.offline = offline;
  }

  List<HealthCheck> checks() {
    List<HealthCheck> checks = new ArrayList<>();
    if (offline) {
      checks.add(
          HealthCheck.of(
              "models",
              TIMEOUT,
              false,
              () -> HealthStatus.up("offline mode (models.mode is offline): no model is called")));
      return checks;
    }
    if (providers.isEmpty()) {
      checks.add(
          HealthCheck.of(
              "models",
              TIMEOUT,
              false,
              () ->
                  HealthStatus.degraded(
                      "offline mode: no model provider configured (set OPENROUTER_API_KEY,"
                          + " ANTHROPIC_API_KEY or models.providers.openai_compatible.base_url)")));
      return checks;
    }
    for (ProviderClient provider : providers.values()) {
      checks.add(
          HealthCheck.of(
              "model." + provider.name(), TIMEOUT.plusSeconds(1), false, () -> status(provider)));
    }
    return checks;
  }

  private HealthStatus status(ProviderClient provider) throws InterruptedException {
    String last =
        provider
            .last()
            .map(
                seen ->
                    "last call "
                        + seen.attempt().outcome()
                        + " at "
                        + seen.at()
                        + (seen.attempt().detail().isEmpty() ? "" : ": " + seen.attempt().detail()))
            .orElse("configured; not used since start");
    boolean lastFailed =
        provider.last().map(seen -> !seen.attempt().outcome().equals("ok")).orElse(false);
    if (provider.name().equals(ProviderClient.OPENAI_COMPATIBLE)) {
      String probed = probeModels(provider);
      if (probed != null) {
        return HealthStatus.degraded(provider.redact(probed + "; " + last));
      }
    }
    return lastFailed ? HealthStatus.degraded(last) : HealthStatus.up(last);
  }

  /** Null when {@code GET /models} answers 2xx, else what went wrong. */
  private String probeModels(ProviderClient provider) throws InterruptedException {
    String base = provider.baseUrl().replaceAll("/+$", "");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/models")).timeout(TIMEOUT).GET();
    if (!provider.key().isEmpty()) {
      request.header("Authorization", "Bearer " + provider.key());
    }
    try {
      int status = probe.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      return status >= 200 && status < 300 ? null : "GET /models answered HTTP " + status;
    } catch (java.io.IOException e) {
      return "GET /models failed: " + e.getClass().getSimpleName();
    }
  }
}
