// An MCP server that requires an OAuth bearer token, built with the official TypeScript SDK: its
// Streamable HTTP transport (stateless) behind the SDK's requireBearerAuth middleware, the token
// checked by token introspection (RFC 7662) at the test's authorization server, and its
// protected-resource metadata (RFC 9728) at /.well-known/oauth-protected-resource/mcp.
// Usage: node bearer-server.mjs <port> <authorization-server-url> [<required-scope>]
// With a required scope, a token without it gets a 403 insufficient_scope naming that scope (the
// MCP authorization spec's scope challenge, 2025-11-25); the scope "impossible" no token satisfies.
// Prints "listening <port>" once it accepts connections. Tools: echo {message}, and whoami (the
// client id the token was issued to).
import express from "express";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { z } from "zod";

const [port, issuer, required] = process.argv.slice(2);
const base = `http://127.0.0.1:${port}`;

const verifier = {
  async verifyAccessToken(token) {
    const answer = await fetch(`${issuer}/introspect`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }),
    });
    const info = await answer.json();
    if (!info.active) {
      throw new InvalidTokenError("The access token is not active");
    }
    return {
      token,
      clientId: info.client_id,
      scopes: info.scope ? info.scope.split(" ") : [],
      expiresAt: info.exp,
    };
  },
};

function server() {
  const mcp = new McpServer({ name: "bearer-test-server", version: "1.0.0" });
  mcp.registerTool(
    "echo",
    { description: "Echoes the message", inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: "text", text: `echo: ${message}` }] }),
  );
  mcp.registerTool("whoami", { description: "The client the token was issued to" }, async (extra) => ({
    content: [{ type: "text", text: `client: ${extra.authInfo?.clientId}` }],
  }));
  return mcp;
}

const app = express();
app.use(express.json());
app.get("/.well-known/oauth-protected-resource/mcp", (_req, res) => {
  res.json({ resource: `${base}/mcp`, authorization_servers: [issuer] });
});
const auth = requireBearerAuth({
  verifier,
  resourceMetadataUrl: `${base}/.well-known/oauth-protected-resource/mcp`,
});
function scoped(req, res, next) {
  const scopes = req.auth?.scopes ?? [];
  if (!required || (required !== "impossible" && scopes.includes(required))) return next();
  res
    .status(403)
    .set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="${required}"`)
    .json({ error: "insufficient_scope" });
}
app.post("/mcp", auth, scoped, async (req, res) => {
  const mcp = server();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on("close", () => {
    transport.close();
    mcp.close();
  });
  await mcp.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.all("/mcp", (_req, res) => res.status(405).set("Allow", "POST").end());
app.listen(Number(port), "127.0.0.1", () => console.log(`listening ${port}`));
