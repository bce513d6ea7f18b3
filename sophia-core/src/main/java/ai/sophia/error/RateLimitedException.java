package ai.sophia.error;

import java.time.Duration;

/** A caller over its rate limit (HTTP 429); {@link #retryAfter()} says when to come back. */
public class RateLimitedException extends SophiaException {
  private final Duration retryAfter;

  public RateLimitedException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
