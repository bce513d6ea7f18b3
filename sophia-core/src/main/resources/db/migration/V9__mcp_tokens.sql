-- OAuth tokens Sophia obtained for the MCP servers it is a client of (mcp.servers.<name>.oauth), one
-- row per server, kept across restarts: the access token (and a refresh token, from a person's
-- sign-in with `sophia mcp login`), sealed at rest when a key is configured, with what renewing
-- them needs: the token endpoint, the resource they are for, and the client (a registered client's
-- secret sealed too). `client` is what the token was issued for (grant, client id and endpoint): a
-- token from another configuration is not used.
CREATE TABLE mcp_tokens (
  server          TEXT PRIMARY KEY,
  client          TEXT NOT NULL,
  access_token    TEXT NOT NULL,
  expires_at      INTEGER,
  refresh_token   TEXT,
  token_endpoint  TEXT NOT NULL,
  resource        TEXT,
  client_id       TEXT NOT NULL,
  client_secret   TEXT,
  auth_method     TEXT NOT NULL,
  updated_at      INTEGER NOT NULL
);
