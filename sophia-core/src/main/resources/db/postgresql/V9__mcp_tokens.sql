-- OAuth tokens of the MCP servers Sophia is a client of, as db/migration/V9 on SQLite.
CREATE TABLE mcp_tokens (
  server          TEXT PRIMARY KEY,
  client          TEXT NOT NULL,
  access_token    TEXT NOT NULL,
  expires_at      BIGINT,
  refresh_token   TEXT,
  token_endpoint  TEXT NOT NULL,
  resource        TEXT,
  client_id       TEXT NOT NULL,
  client_secret   TEXT,
  auth_method     TEXT NOT NULL,
  updated_at      BIGINT NOT NULL
);
