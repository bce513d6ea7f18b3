package ai.sophia.mcp;

import ai.sophia.memory.Database;
import ai.sophia.security.FieldCipher;
import ai.sophia.security.SealedColumns;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link McpTokenStore} in the {@code mcp_tokens} table (SQLite or PostgreSQL), the access token
 * sealed with the database's cipher ({@link SealedColumns#MCP_TOKEN}), so key rotation re-seals it
 * with the other sealed columns.
 */
public final class SqlMcpTokenStore implements McpTokenStore {
  private final Database db;
  private final FieldCipher cipher;
  private final Clock clock;

  public SqlMcpTokenStore(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.cipher = db.cipher();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Optional<StoredToken> find(String server) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM mcp_tokens WHERE server = :s")
                .bind("s", server)
                .map(
                    (rs, ctx) -> {
                      Object expires = rs.getObject("expires_at");
                      return new StoredToken(
                          rs.getString("client"),
                          cipher.open(SealedColumns.MCP_TOKEN.id(), rs.getString("access_token")),
                          expires instanceof Number n ? n.longValue() : 0,
                          cipher.open(
                              SealedColumns.MCP_REFRESH_TOKEN.id(), rs.getString("refresh_token")),
                          rs.getString("token_endpoint"),
                          rs.getString("resource"),
                          rs.getString("client_id"),
                          cipher.open(
                              SealedColumns.MCP_CLIENT_SECRET.id(), rs.getString("client_secret")),
                          rs.getString("auth_method"),
                          rs.getString("scope"));
                    })
                .findOne());
  }

  @Override
  public void save(String server, StoredToken token) {
    db.useTransaction(
        h -> {
          h.createUpdate("DELETE FROM mcp_tokens WHERE server = :s").bind("s", server).execute();
          h.createUpdate(
                  "INSERT INTO mcp_tokens (server, client, access_token, expires_at, refresh_token,"
                      + " token_endpoint, resource, client_id, client_secret, auth_method, scope,"
                      + " updated_at) VALUES (:s, :client, :token, :expires, :refresh, :endpoint,"
                      + " :resource, :clientId, :secret, :method, :scope, :at)")
              .bind("s", server)
              .bind("client", token.client())
              .bind("token", cipher.seal(SealedColumns.MCP_TOKEN.id(), token.accessToken()))
              .bind("expires", token.expiresAt() == 0 ? null : token.expiresAt())
              .bind("refresh", sealOrNull(SealedColumns.MCP_REFRESH_TOKEN, token.refreshToken()))
              .bind("endpoint", token.tokenEndpoint())
              .bind("resource", token.resource().isEmpty() ? null : token.resource())
              .bind("clientId", token.clientId())
              .bind("secret", sealOrNull(SealedColumns.MCP_CLIENT_SECRET, token.clientSecret()))
              .bind("method", token.authMethod())
              .bind("scope", token.scope().isEmpty() ? null : token.scope())
              .bind("at", clock.millis())
              .execute();
        });
  }

  private String sealOrNull(SealedColumns.Column column, String value) {
    return value.isEmpty() ? null : cipher.seal(column.id(), value);
  }

  @Override
  public void delete(String server) {
    db.useHandle(
        h ->
            h.createUpdate("DELETE FROM mcp_tokens WHERE server = :s").bind("s", server).execute());
  }
}
