package ai.sophia.search;

import ai.sophia.error.SophiaException;

/**
 * A search provider failed. {@code blocked} is true when the provider refused us (rate limit,
 * CAPTCHA, 202/403 from DuckDuckGo) rather than being down; both fall through to the next one.
 */
public class SearchException extends SophiaException {
  private final String provider;
  private final boolean blocked;

  public SearchException(String provider, String message, boolean blocked, Throwable cause) {
    super(provider + ": " + message, true, cause);
    this.provider = provider;
    this.blocked = blocked;
  }

  public String provider() {
    return provider;
  }

  public boolean blocked() {
    return blocked;
  }
}
