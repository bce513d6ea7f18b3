-- OAuth access tokens Sophia obtained for the MCP servers it is a client of (mcp.servers.<name>.oauth),
-- one per server, kept across restarts so that a token is not fetched again before it expires. The
-- token is sealed at rest when a key is configured; `client` is the token endpoint and client id it
-- was issued for (a token from another configuration is not used).
CREATE TABLE mcp_tokens (
  server        TEXT PRIMARY KEY,
  client        TEXT NOT NULL,
  access_token  TEXT NOT NULL,
  expires_at    INTEGER,
  updated_at    INTEGER NOT NULL
);
