package ai.sophia.model;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RateLimitException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** What went wrong in one attempt, read from whatever LangChain4j or the JDK threw. */
final class Failures {
  private static final int MAX_DETAIL = 200;

  private Failures() {}

  /**
   * One failed attempt. {@code retryable}: the same model may be asked again. {@code counts}: the
   * failure says something about the model (a bad request of ours does not open its circuit).
   */
  record Failure(
      String outcome, String detail, boolean retryable, boolean counts, Duration retryAfter) {
    Optional<Duration> retryAfterHeader() {
      return Optional.ofNullable(retryAfter);
    }
  }

  static Failure classify(Throwable error, UnaryOperator<String> redact) {
    Duration retryAfter = null;
    Integer status = null;
    String body = "";
    boolean timeout = false;
    boolean rateLimited = false;
    boolean nonRetriable = false;
    IOException io = null;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UnreadableReplyException u) {
        return new Failure("error", redact.apply(u.getMessage()), false, true, null);
      }
      if (t instanceof ProviderHttpException p && p.retryAfter().isPresent()) {
        retryAfter = p.retryAfter().get();
      }
      if (t instanceof HttpException h && status == null) {
        status = h.statusCode();
        body = h.getMessage();
      }
      timeout |=
          t instanceof dev.langchain4j.exception.TimeoutException
              || t instanceof java.util.concurrent.TimeoutException
              || t instanceof HttpTimeoutException;
      rateLimited |= t instanceof RateLimitException;
      nonRetriable |= t instanceof NonRetriableException;
      if (t instanceof IOException e && io == null) {
        io = e;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (status != null) {
      String detail = "HTTP " + status + snippet(redact.apply(body));
      if (status == 429) {
        return new Failure("rate_limited", detail, true, true, retryAfter);
      }
      if (status == 408) {
        return new Failure("timeout", detail, true, true, retryAfter);
      }
      if (status >= 500) {
        return new Failure("error", detail, true, true, retryAfter);
      }
      boolean ours = status == 400 || status == 413 || status == 422;
      return new Failure("error", detail, false, !ours, null);
    }
    if (timeout) {
      return new Failure("timeout", "no answer in time", true, true, null);
    }
    if (rateLimited) {
      return new Failure("rate_limited", "rate limited", true, true, null);
    }
    if (io != null) {
      return new Failure(
          "error",
          "connection failed: " + redact.apply(String.valueOf(io.getMessage())),
          true,
          true,
          null);
    }
    String detail = error.getClass().getSimpleName() + snippet(redact.apply(error.getMessage()));
    return new Failure("error", detail, !nonRetriable, true, null);
  }

  private static String snippet(String text) {
    if (text == null || text.isBlank()) {
      return "";
    }
    String oneLine = text.strip().replaceAll("\\s+", " ");
    return ": "
        + (oneLine.length() > MAX_DETAIL ? oneLine.substring(0, MAX_DETAIL) + "…" : oneLine);
  }
}
