-- The scope an MCP server's token was granted (the token response's `scope`, else the scope asked
-- for; NULL when unknown), so that a 403 insufficient_scope for a scope the token already holds
-- ends the request rather than asking a person to sign in again for it.
ALTER TABLE mcp_tokens ADD COLUMN scope TEXT;
