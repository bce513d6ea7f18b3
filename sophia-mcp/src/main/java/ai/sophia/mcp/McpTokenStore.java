package ai.sophia.mcp;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OAuth access tokens Sophia obtained for the MCP servers it is a client of, one per server, so
 * that a restart does not fetch a token that is still good. {@link SqlMcpTokenStore} keeps them in
 * {@code mcp_tokens} (sealed at rest); {@link #inMemory} for a process that has no database (the
 * CLI's {@code doctor}, tests).
 */
public interface McpTokenStore {
  /**
   * A token as issued: {@code client} is what it was issued for (token endpoint and client id), so
   * a token from another configuration is not used; {@code expiresAt} is epoch millis, 0 when the
   * server gave no lifetime.
   */
  record StoredToken(String client, String accessToken, long expiresAt) {
    public StoredToken {
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(accessToken, "accessToken");
    }

    @Override
    public String toString() {
      return "StoredToken[client=" + client + ", expiresAt=" + expiresAt + ", <redacted>]";
    }
  }

  /** The token kept for {@code server}, if any. */
  Optional<StoredToken> find(String server);

  /** Keeps {@code token} for {@code server}, replacing the one it had. */
  void save(String server, StoredToken token);

  /** Forgets the server's token (it was refused). */
  void delete(String server);

  /** A store that lives as long as the process. */
  static McpTokenStore inMemory() {
    Map<String, StoredToken> tokens = new ConcurrentHashMap<>();
    return new McpTokenStore() {
      @Override
      public Optional<StoredToken> find(String server) {
        return Optional.ofNullable(tokens.get(server));
      }

      @Override
      public void save(String server, StoredToken token) {
        tokens.put(server, token);
      }

      @Override
      public void delete(String server) {
        tokens.remove(server);
      }
    };
  }
}
