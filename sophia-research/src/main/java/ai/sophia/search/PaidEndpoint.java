package ai.sophia.search;

import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * A paid provider's endpoint and API key. The key is kept out of {@link #toString()} and every
 * message: only the name of the environment variable that should hold it is ever shown.
 */
final class PaidEndpoint {
  private final String provider;
  private final String baseUrl;
  private final String keyEnv;
  private final String key;

  PaidEndpoint(String provider, String baseUrl, String keyEnv, String key) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl").strip();
    this.keyEnv = Objects.requireNonNull(keyEnv, "keyEnv");
    this.key = Objects.requireNonNull(key, "key");
  }

  boolean configured() {
    return HttpUrl.parse(baseUrl) != null && !key.isBlank();
  }

  /** The endpoint, or a failure saying what is missing. */
  HttpUrl url() {
    HttpUrl url = HttpUrl.parse(baseUrl);
    if (url == null) {
      throw new SearchException(
          provider, "not configured (providers." + provider + ".base_url)", false, null);
    }
    if (key.isBlank()) {
      throw new SearchException(provider, "no API key (set " + keyEnv + ")", false, null);
    }
    return url;
  }

  String key() {
    return key;
  }

  @Override
  public String toString() {
    return provider + " at " + baseUrl;
  }
}
