package ai.sophia.model;

import dev.langchain4j.exception.HttpException;
import java.time.Duration;
import java.util.Optional;

/**
 * A provider's non-2xx answer, with the wait its {@code Retry-After} header asked for. LangChain4j
 * wraps it (a 429 into its RateLimitException, a 5xx into InternalServerException) but keeps it as
 * the cause, where the gateway finds it.
 */
final class ProviderHttpException extends HttpException {
  private final Duration retryAfter;

  ProviderHttpException(int statusCode, String body, Duration retryAfter) {
    super(statusCode, body);
    this.retryAfter = retryAfter;
  }

  /** The provider's Retry-After, when it sent one that parses. */
  Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
