package ai.sophia.server.http;

import ai.sophia.security.ApiKey;
import ai.sophia.security.ApiKeyStore;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Looks API keys up in the store, remembering successful lookups for a few seconds so that a busy
 * client does not cost a database query per request. Only positive answers are cached (a key
 * created a moment ago works at once) and only briefly (a revoked key stops working within the
 * TTL). The cache is keyed by a SHA-256 digest, so no secret is held as a map key. Concurrent
 * requests with the same key share one lookup, so thousands of connections whose cached entry
 * expires at once do not all queue for the database.
 */
final class ApiKeyAuthenticator {
  /** Longer than any key Sophia issues; longer input is refused without a store lookup. */
  static final int MAX_SECRET_CHARS = 256;

  private final ApiKeyStore store;
  private final Cache<String, ApiKey> recent;

  ApiKeyAuthenticator(ApiKeyStore store, Duration ttl) {
    this.store = Objects.requireNonNull(store, "store");
    this.recent = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(ttl).build();
  }

  Optional<ApiKey> authenticate(String secret) {
    if (secret.isEmpty() || secret.length() > MAX_SECRET_CHARS) {
      return Optional.empty();
    }
    // A null from the loader (no such key) is not cached.
    // A key that expired while cached stops working at once, not at the end of the TTL.
    return Optional.ofNullable(
            recent.get(digest(secret), digest -> store.authenticate(secret).orElse(null)))
        .filter(ApiKey::active);
  }

  static String digest(String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
