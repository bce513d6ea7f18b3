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
   * Tokens as issued, with what renewing them needs. {@code client} is what they were issued for
   * (grant, client id, endpoint), so tokens from another configuration are not used; {@code
   * expiresAt} is epoch millis, 0 when the server gave no lifetime; {@code refreshToken} and {@code
   * resource} are empty when there are none; {@code clientSecret} is the secret of a client Sophia
   * registered (empty otherwise: a configured secret stays in its variable), {@code authMethod} how
   * the client authenticates at {@code tokenEndpoint}, and {@code scope} the scope granted (the
   * token response's, else the one asked for; empty when unknown).
   */
  record StoredToken(
      String client,
      String accessToken,
      long expiresAt,
      String refreshToken,
      String tokenEndpoint,
      String resource,
      String clientId,
      String clientSecret,
      String authMethod,
      String scope) {
    public StoredToken {
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(accessToken, "accessToken");
      refreshToken = refreshToken == null ? "" : refreshToken;
      tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
      resource = resource == null ? "" : resource;
      clientId = Objects.requireNonNull(clientId, "clientId");
      clientSecret = clientSecret == null ? "" : clientSecret;
      authMethod = Objects.requireNonNull(authMethod, "authMethod");
      scope = scope == null ? "" : scope;
    }

    /** The same with a new access token (and refresh token and scope, when they came). */
    StoredToken renewed(String access, String refresh, long expires, String granted) {
      return new StoredToken(
          client,
          access,
          expires,
          refresh.isEmpty() ? refreshToken : refresh,
          tokenEndpoint,
          resource,
          clientId,
          clientSecret,
          authMethod,
          granted.isEmpty() ? scope : granted);
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
