// A tool call whose stream drops mid-call, resumed by the official TypeScript SDK client.
// Usage: node resume.mjs <target-json> <tool> <arguments-json>
//   target: {"url": "http://127.0.0.1:PORT/mcp", "key": "sk-sophia-…"}
// The client talks to Sophia through a loopback forwarder that cuts the connection of the call's
// POST (both ways, so Sophia sees its client go) right after the first bytes of its event stream.
// The client then reconnects by itself (GET with Last-Event-ID, after the server's retry) and
// should get the rest. Prints one JSON line: {ok, result | error, tokens, sessionId, seen}, where
// seen lists what the forwarder saw: [{method, lastEventId, status, cut}].
import http from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [targetJson, tool, argumentsJson] = process.argv.slice(2);
const target = new URL(JSON.parse(targetJson).url);
const key = JSON.parse(targetJson).key;
const seen = [];
let cutDone = false;

const forwarder = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const entry = { method: req.method, lastEventId: req.headers["last-event-id"] ?? null, cut: false };
    seen.push(entry);
    const cut = req.method === "POST" && !cutDone && body.includes('"tools/call"');
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, "x-api-key": key },
      },
      (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode, answer.headers);
        if (!cut) {
          answer.pipe(res);
          return;
        }
        answer.once("data", (first) => {
          cutDone = true;
          entry.cut = true;
          res.write(first, () => {
            // The connection drops: the client's reader fails, Sophia's next write fails.
            res.socket?.destroy();
            upstream.destroy();
          });
        });
      },
    );
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    upstream.end(body);
  });
});
await new Promise((resolve) => forwarder.listen(0, "127.0.0.1", resolve));

const transport = new StreamableHTTPClientTransport(
  new URL(`http://127.0.0.1:${forwarder.address().port}${target.pathname}`),
);
const client = new Client({ name: "sophia-resume-test", version: "1.0.0" });
const tokens = [];
let line;
try {
  await client.connect(transport);
  const result = await client.callTool({ name: tool, arguments: JSON.parse(argumentsJson) }, undefined, {
    timeout: 60000,
    onresumptiontoken: (token) => tokens.push(token),
  });
  line = { ok: true, result };
} catch (e) {
  line = { ok: false, error: String(e) };
}
line.tokens = tokens;
line.sessionId = transport.sessionId ?? null;
line.seen = seen;
process.stdout.write(JSON.stringify(line) + "\n");
await client.close();
forwarder.close();
forwarder.closeAllConnections();
