package ai.sophia.code;

import ai.sophia.config.SophiaConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pull requests through GitHub's REST API with the JDK's HttpClient: three calls (list a branch's
 * open pull requests, open one) need no client library, and plain calls let Sophia read GitHub's
 * rate-limit headers itself. Idempotent: a branch's open pull request is returned, never
 * duplicated.
 *
 * <p>Rate limits: a 403 or 429 with {@code retry-after}, or with {@code x-ratelimit-remaining: 0}
 * and {@code x-ratelimit-reset}, is waited out and retried when the wait fits within {@code
 * code.github_wait_max_ms}; otherwise the outcome is {@code rate_limited}, saying when to retry. A
 * response that spends the last request of the window makes the next call wait for the reset.
 */
final class GitHubPulls {
  private static final Logger log = LoggerFactory.getLogger(GitHubPulls.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_TRIES = 3;

  /** What GitHub did: a pull request (created or found), or why not. */
  record Outcome(String status, String url, Integer number, String detail) {
    static Outcome failed(String status, String detail) {
      return new Outcome(status, null, null, detail);
    }
  }

  /** A pull request to open: head branch into base, with a title, a body and draft or ready. */
  record Pull(String head, String base, String title, String body, boolean draft) {}

  private final HttpClient http;
  private final Duration maxWait;
  private final Clock clock;
  private volatile Instant quietUntil = Instant.EPOCH;

  GitHubPulls(HttpClient http, Duration maxWait, Clock clock) {
    this.http = http;
    this.maxWait = maxWait;
    this.clock = clock;
  }

  /** The open pull request of {@code pull.head()}, or a new one. */
  Outcome open(SophiaConfig.GitHub repo, String token, Redactor redactor, Pull pull) {
    try {
      Optional<Outcome> existing = find(repo, token, pull.head());
      if (existing.isPresent()) {
        return existing.get();
      }
      ObjectNode body =
          JSON.createObjectNode()
              .put("title", pull.title())
              .put("head", pull.head())
              .put("base", pull.base())
              .put("body", pull.body())
              .put("draft", pull.draft());
      HttpResponse<String> r = send(repo, token, "POST", "/pulls", body.toString());
      if (r.statusCode() == 201) {
        JsonNode pr = JSON.readTree(r.body());
        return new Outcome("created", pr.path("html_url").asText(), pr.path("number").asInt(), "");
      }
      String message = message(r);
      if (r.statusCode() == 422 && message.contains("already exists")) {
        // Opened by someone else between our look and our request: it is the one to return.
        return find(repo, token, pull.head())
            .orElse(Outcome.failed("failed", "GitHub says: " + message));
      }
      return refused(r, message, redactor);
    } catch (RateLimited e) {
      return Outcome.failed("rate_limited", e.getMessage());
    } catch (IOException e) {
      return Outcome.failed(
          "failed", "GitHub could not be reached: " + redactor.clean(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.failed("failed", "interrupted while talking to GitHub");
    }
  }

  private Optional<Outcome> find(SophiaConfig.GitHub repo, String token, String branch)
      throws IOException, InterruptedException {
    String head = URLEncoder.encode(repo.owner() + ":" + branch, StandardCharsets.UTF_8);
    HttpResponse<String> r = send(repo, token, "GET", "/pulls?state=open&head=" + head, null);
    if (r.statusCode() != 200) {
      return Optional.empty();
    }
    JsonNode list = JSON.readTree(r.body());
    if (!list.isArray() || list.isEmpty()) {
      return Optional.empty();
    }
    JsonNode pr = list.get(0);
    return Optional.of(
        new Outcome("exists", pr.path("html_url").asText(), pr.path("number").asInt(), ""));
  }

  private static Outcome refused(HttpResponse<String> r, String message, Redactor redactor) {
    String what = redactor.clean(message);
    return switch (r.statusCode()) {
      case 409 -> Outcome.failed("conflict", "GitHub reports a conflict (409): " + what);
      case 401 -> Outcome.failed("failed", "GitHub refused the token (401): " + what);
      case 403 -> Outcome.failed("failed", "GitHub forbids this (403): " + what);
      case 404 ->
          Outcome.failed("failed", "GitHub does not know this repository or token (404): " + what);
      default -> Outcome.failed("failed", "GitHub answered " + r.statusCode() + ": " + what);
    };
  }

  private HttpResponse<String> send(
      SophiaConfig.GitHub repo, String token, String method, String path, String body)
      throws IOException, InterruptedException {
    String base = repo.apiUrl().replaceAll("/+$", "");
    URI uri = URI.create(base + "/repos/" + repo.owner() + "/" + repo.repo() + path);
    for (int attempt = 1; ; attempt++) {
      waitFor(quietUntil);
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(30))
              .header("Accept", "application/vnd.github+json")
              .header("X-GitHub-Api-Version", "2022-11-28")
              .header("User-Agent", "Sophia");
      if (!token.isEmpty()) {
        b.header("Authorization", "Bearer " + token);
      }
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      Optional<Instant> until = rateLimitedUntil(r);
      if (until.isEmpty()) {
        if ("0".equals(r.headers().firstValue("x-ratelimit-remaining").orElse(""))) {
          quietUntil = reset(r).orElse(quietUntil);
        }
        return r;
      }
      Duration wait = Duration.between(clock.instant(), until.get());
      if (attempt >= MAX_TRIES || wait.compareTo(maxWait) > 0) {
        throw new RateLimited(
            "GitHub's rate limit is spent until "
                + until.get()
                + "; the branch is pushed, retry the request after that to open the pull request");
      }
      log.info("GitHub rate limit: waiting {} ms before retrying", Math.max(0, wait.toMillis()));
      waitFor(until.get());
    }
  }

  /** When a rate-limited response says to come back; empty when it is not rate-limited. */
  private Optional<Instant> rateLimitedUntil(HttpResponse<String> r) {
    if (r.statusCode() != 403 && r.statusCode() != 429) {
      return Optional.empty();
    }
    Optional<String> retryAfter = r.headers().firstValue("retry-after");
    if (retryAfter.isPresent()) {
      try {
        return Optional.of(clock.instant().plusSeconds(Long.parseLong(retryAfter.get().strip())));
      } catch (NumberFormatException e) {
        return Optional.of(clock.instant().plusSeconds(60));
      }
    }
    if ("0".equals(r.headers().firstValue("x-ratelimit-remaining").orElse(""))) {
      return reset(r).or(() -> Optional.of(clock.instant().plusSeconds(60)));
    }
    return Optional.empty();
  }

  private static Optional<Instant> reset(HttpResponse<String> r) {
    try {
      return r.headers()
          .firstValue("x-ratelimit-reset")
          .map(s -> Instant.ofEpochSecond(Long.parseLong(s.strip())));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void waitFor(Instant until) throws InterruptedException {
    long ms = Duration.between(clock.instant(), until).toMillis();
    if (ms > 0) {
      Thread.sleep(Math.min(ms, maxWait.toMillis()));
    }
  }

  private static String message(HttpResponse<String> r) {
    try {
      JsonNode body = JSON.readTree(r.body());
      StringBuilder out = new StringBuilder(body.path("message").asText(""));
      for (JsonNode e : body.path("errors")) {
        String m = e.path("message").asText("");
        if (!m.isEmpty()) {
          out.append(out.isEmpty() ? "" : ": ").append(m);
        }
      }
      return out.toString();
    } catch (IOException e) {
      String text = r.body() == null ? "" : r.body();
      return text.length() > 200 ? text.substring(0, 200) : text;
    }
  }

  private static final class RateLimited extends IOException {
    RateLimited(String message) {
      super(message);
    }
  }
}
