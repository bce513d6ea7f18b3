package ai.sophia.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Polls a URL until it answers 2xx or time runs out; each request has its own short timeout, so a
 * hung service costs one attempt, not the whole budget.
 */
final class HealthProbe {
  static final Duration INTERVAL = Duration.ofMillis(200);
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

  private final HttpClient http;

  HealthProbe(HttpClient http) {
    this.http = http;
  }

  /** Whether the probe passed, and the last thing it saw. */
  record Result(boolean healthy, String detail) {}

  /**
   * Probes {@code url} until it answers 2xx, {@code timeout} passes, or {@code gaveUp} says there
   * is no point any more (the process died); progress goes to {@code log}.
   */
  Result await(URI url, Duration timeout, BooleanSupplier gaveUp, Consumer<String> log)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    Instant nextReport = Instant.now().plus(REPORT_EVERY);
    String last = "no answer yet";
    log.accept("health check: GET " + url + " (up to " + timeout.toMillis() + " ms)");
    while (true) {
      if (gaveUp.getAsBoolean()) {
        return new Result(false, last);
      }
      last = once(url);
      if (last.startsWith("HTTP 2")) {
        log.accept("health check passed: " + last);
        return new Result(true, last);
      }
      Instant now = Instant.now();
      if (!now.isBefore(deadline)) {
        log.accept("health check failed after " + timeout.toMillis() + " ms: " + last);
        return new Result(false, last);
      }
      if (now.isAfter(nextReport)) {
        log.accept("health check: still waiting (" + last + ")");
        nextReport = now.plus(REPORT_EVERY);
      }
      Thread.sleep(INTERVAL);
    }
  }

  /** One GET: "HTTP 200", "HTTP 503", or why there was no answer. */
  String once(URI url) throws InterruptedException {
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(url).timeout(ATTEMPT_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return "HTTP " + r.statusCode();
    } catch (IOException e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
  }
}
