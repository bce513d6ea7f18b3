// Drives Sophia's MCP server with the official TypeScript SDK client, over Streamable HTTP or stdio.
// Usage: node client.mjs <target-json> <scenario-json>
//   target: {"url": "http://…/mcp", "key": "sk-sophia-…"} or {"command": "java", "args": […], "env": {…}}
// The scenario lists steps; each step's outcome is printed as one JSON line on stdout, and the
// script exits 0 unless a step failed unexpectedly (the Java test asserts on the lines).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [targetJson, scenarioJson] = process.argv.slice(2);
const target = JSON.parse(targetJson);
const scenario = JSON.parse(scenarioJson);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

let transport;
if (target.url) {
  const headers = target.key ? { Authorization: `Bearer ${target.key}` } : {};
  transport = new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers } });
} else {
  transport = new StdioClientTransport({
    command: target.command,
    args: target.args ?? [],
    env: { ...process.env, ...(target.env ?? {}) },
    stderr: "ignore",
  });
}
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
    } else if (step.op === "callToolAbort") {
      // Starts a call and cancels it after abortAfterMs: the SDK sends notifications/cancelled.
      const controller = new AbortController();
      setTimeout(() => controller.abort("the test cancels"), step.abortAfterMs ?? 1000);
      try {
        const r = await client.callTool({ name: step.name, arguments: step.arguments ?? {} }, undefined, {
          signal: controller.signal,
          timeout: 120000,
        });
        out({ step: step.op, name: step.name, ok: true, result: r });
      } catch (e) {
        out({ step: step.op, ok: false, error: String(e), code: e.code ?? null });
      }
      // The notification is sent in the background: give it time before the client closes.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } else if (step.op === "readResource") {
      const r = await client.readResource({ uri: step.uri });
      out({ step: step.op, ok: true, result: r });
    } else if (step.op === "listResourceTemplates") {
      const r = await client.listResourceTemplates();
      out({ step: step.op, ok: true, result: r });
    } else if (step.op === "listPrompts") {
      const r = await client.listPrompts();
      out({ step: step.op, ok: true, result: r });
    } else if (step.op === "complete") {
      const r = await client.complete({ ref: step.ref, argument: step.argument });
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
