-- The scope an MCP server's token was granted, as db/migration/V10 on SQLite.
ALTER TABLE mcp_tokens ADD COLUMN scope TEXT;
