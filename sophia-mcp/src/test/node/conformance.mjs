// Runs server scenarios of the official MCP conformance suite against Sophia's /mcp.
// Usage: node conformance.mjs <target-json> <output-dir> <scenario>…
//   target: {"url": "http://127.0.0.1:PORT/mcp", "key": "sk-sophia-…"}
// The suite cannot send credentials, so it talks to a loopback forwarder started here that adds
// the API key to every request and passes everything else (Host, Origin, the streamed body) as
// is, but for its own port in Host and Origin, which becomes Sophia's: a loopback origin is the
// same origin whichever of the two ports the suite saw. Prints one JSON line per scenario: {scenario, exit, checks:[{id, status, errorMessage}]}.
import http from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [targetJson, outputDir, ...scenarios] = process.argv.slice(2);
const target = new URL(JSON.parse(targetJson).url);
const key = JSON.parse(targetJson).key;

const forwarder = http.createServer((req, res) => {
  const upstream = http.request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...ownPort(req.headers), "x-api-key": key },
    },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => res.destroy());
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
});
await new Promise((resolve) => forwarder.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${forwarder.address().port}${target.pathname}`;

function ownPort(headers) {
  const own = `:${forwarder.address().port}`;
  const rewritten = { ...headers };
  for (const name of ["host", "origin"]) {
    if (rewritten[name]?.endsWith(own)) {
      rewritten[name] = rewritten[name].slice(0, -own.length) + `:${target.port}`;
    }
  }
  return rewritten;
}

const cli = join("node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
for (const scenario of scenarios) {
  const dir = mkdtempSync(join(outputDir, `${scenario}-`));
  // Asynchronously, so that the forwarder in this process keeps serving while the suite runs.
  const exit = await new Promise((resolve) => {
    const args = [cli, "server", "--url", url, "--scenario", scenario, "-o", dir];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
    child.on("exit", (code) => resolve(code));
  });
  const checks = [];
  for (const file of findChecks(dir)) {
    for (const c of JSON.parse(readFileSync(file, "utf8"))) {
      checks.push({ id: c.id, status: c.status, errorMessage: c.errorMessage ?? null });
    }
  }
  process.stdout.write(JSON.stringify({ scenario, exit, checks }) + "\n");
}
forwarder.close();
forwarder.closeAllConnections();

function findChecks(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === "checks.json") {
      found.push(join(entry.parentPath ?? entry.path, entry.name));
    }
  }
  return found;
}
