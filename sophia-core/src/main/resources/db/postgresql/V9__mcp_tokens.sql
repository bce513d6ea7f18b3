-- OAuth access tokens for the MCP servers Sophia is a client of, as db/migration/V9 on SQLite.
CREATE TABLE mcp_tokens (
  server        TEXT PRIMARY KEY,
  client        TEXT NOT NULL,
  access_token  TEXT NOT NULL,
  expires_at    BIGINT,
  updated_at    BIGINT NOT NULL
);
