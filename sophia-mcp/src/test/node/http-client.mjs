// Drives Sophia's MCP server over Streamable HTTP with the official TypeScript SDK client.
// Usage: node http-client.mjs <url> <api-key> <scenario-json>
// The scenario lists steps; each step's outcome is printed as one JSON line on stdout, and the
// script exits 0 unless a step failed unexpectedly (the Java test asserts on the lines).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, key, scenarioJson] = process.argv.slice(2);
const scenario = JSON.parse(scenarioJson);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const headers = key ? { Authorization: `Bearer ${key}` } : {};
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
const client = new Client({ name: "sophia-test-client", version: "1.0.0" });
try {
  await client.connect(transport);
} catch (e) {
  out({ step: "connect", ok: false, error: String(e), code: e.code ?? null });
  process.exit(0);
}
out({
  step: "connect",
  ok: true,
  server: client.getServerVersion(),
  protocol: transport.protocolVersion ?? null,
});

for (const step of scenario) {
  try {
    if (step.op === "listTools") {
      const r = await client.listTools();
      out({ step: step.op, ok: true, tools: r.tools });
    } else if (step.op === "callTool") {
      const progress = [];
      const r = await client.callTool({ name: step.name, arguments: step.arguments ?? {} }, undefined, {
        onprogress: (p) => progress.push(p),
        timeout: 120000,
      });
      out({ step: step.op, name: step.name, ok: true, result: r, progress });
    } else if (step.op === "readResource") {
      const r = await client.readResource({ uri: step.uri });
      out({ step: step.op, ok: true, result: r });
    } else if (step.op === "listResourceTemplates") {
      const r = await client.listResourceTemplates();
      out({ step: step.op, ok: true, result: r });
    } else if (step.op === "listPrompts") {
      const r = await client.listPrompts();
      out({ step: step.op, ok: true, result: r });
    } else if (step.op === "getPrompt") {
      const r = await client.getPrompt({ name: step.name, arguments: step.arguments ?? {} });
      out({ step: step.op, ok: true, result: r });
    }
  } catch (e) {
    out({ step: step.op, ok: false, error: String(e), code: e.code ?? null });
  }
}
await client.close();
