// Operations: every component's health, system stats, request rate and latency, model usage per
// model as charts, cache hit ratio, MCP connections. Refreshed every few seconds.
import {api, badge, bars, fill, h, num, pct, table, usd} from '../lib.js';

export function render(root) {
  const kpis = h('div', {class: 'kpis'});
  const health = h('section', {class: 'card'});
  const models = h('section', {class: 'card'});
  const mcp = h('section', {class: 'card'});
  const latency = h('section', {class: 'card'});
  const daily = h('section', {class: 'card'});
  fill(root, h('h1', {}, 'Operations'), kpis, h('div', {class: 'grid two'}, health, models, daily, latency, mcp));
  const refresh = async () => {
    const [stats, report, metrics, days] = await Promise.all([
      api('GET', '/api/v1/system/stats').catch(() => null),
      api('GET', '/health').catch(() => null),
      fetch('/metrics', {credentials: 'same-origin'}).then((r) => (r.ok ? r.text() : '')).catch(() => ''),
      api('GET', '/api/v1/usage/daily?days=14').catch(() => null),
    ]);
    if (days) drawDaily(daily, days.usage || []);
    if (stats) drawStats(kpis, models, stats);
    if (report) drawHealth(health, mcp, report);
    drawLatency(latency, metrics);
  };
  refresh();
  const timer = setInterval(refresh, 5000);
  return () => clearInterval(timer);
}

function kpi(label, value) {
  return h('div', {class: 'kpi'}, h('span', {class: 'kpi-value'}, value), h('span', {class: 'kpi-label'}, label));
}

function drawStats(kpis, models, st) {
  const u = st.model_usage || {};
  fill(kpis,
    kpi('version', st.version),
    kpi('uptime', st.uptime_human),
    kpi('requests / s', num(st.request_rate, 2)),
    kpi('requests', num(st.requests_total)),
    kpi('active work', num(st.active_agents)),
    kpi('heap', `${num((st.memory_usage?.heap_used_bytes || 0) / 1048576)} MB (${num(st.memory_usage?.percent, 1)}%)`),
    kpi('cpu (Sophia)', `${num(st.cpu_usage?.process_percent, 1)}%`),
    kpi('cache hit ratio', pct(st.cache_hit_ratio)),
    kpi('model calls', num(u.calls)),
    kpi('cost today', usd(u.cost_today_usd)),
  );
  const by = Object.entries(u.by_model || {});
  fill(models, h('h2', {}, 'Models'),
    bars('Tokens per model', by.map(([m, v]) => ({label: m, value: (v.input_tokens || 0) + (v.output_tokens || 0)}))),
    bars('Cost per model, total (USD)', by.map(([m, v]) => ({label: m, value: v.cost_total_usd || 0})), usd),
    bars('Cost per model, today (USD)', by.map(([m, v]) => ({label: m, value: v.cost_today_usd || 0})), usd),
    table('Calls per agent', ['agent', 'calls', 'ok', 'tokens', 'cost'], Object.entries(u.by_agent || {}).map(([a, v]) => [a, num(v.calls), num(v.ok), num(v.input_tokens + v.output_tokens), usd(v.cost_total_usd)])));
}

function drawHealth(health, mcp, report) {
  const components = report.components || [];
  fill(health, h('h2', {}, 'Health ', badge(report.status)),
    table('Components', ['component', 'status', 'latency', 'detail'], components.map((c) => [c.name, badge(c.status), `${num(c.latency_ms)} ms`, c.detail || ''])));
  const servers = components.filter((c) => c.name.startsWith('mcp.'));
  fill(mcp, h('h2', {}, 'MCP connections'),
    servers.length ? table('MCP servers', ['server', 'status', 'detail'], servers.map((c) => [c.name.slice(4), badge(c.status), c.detail || ''])) : h('p', {class: 'muted'}, 'Sophia uses no MCP server (mcp.servers is empty).'));
}

/** Mean latency per route from the Prometheus text of /metrics. */
function drawLatency(root, text) {
  const sums = new Map();
  for (const line of text.split('\n')) {
    const m = line.match(/^http_server_requests_seconds_(sum|count)\{([^}]*)\} ([0-9.eE+-]+)/);
    if (!m) continue;
    const uri = (m[2].match(/uri="([^"]*)"/) || [])[1] || '?';
    const e = sums.get(uri) || {sum: 0, count: 0};
    e[m[1]] += Number(m[3]);
    sums.set(uri, e);
  }
  const rows = [...sums.entries()].filter(([, e]) => e.count > 0).sort((a, b) => b[1].count - a[1].count).slice(0, 10);
  fill(root, h('h2', {}, 'Request latency'),
    rows.length ? bars('Mean latency per route (ms)', rows.map(([uri, e]) => ({label: uri, value: (e.sum / e.count) * 1000})), (v) => num(v, 1)) : h('p', {class: 'muted'}, 'No requests measured yet.'),
    rows.length ? table('Requests per route', ['route', 'requests', 'mean'], rows.map(([uri, e]) => [uri, num(e.count), `${num((e.sum / e.count) * 1000, 1)} ms`])) : null);
}

/** Tokens and cost per UTC day (all models), and the models that made them. */
function drawDaily(root, rows) {
  const byDay = new Map();
  for (const r of rows) {
    const d = byDay.get(r.day) || {tokens: 0, cost: 0, calls: 0};
    d.tokens += r.input_tokens + r.output_tokens;
    d.cost += r.cost_usd;
    d.calls += r.calls;
    byDay.set(r.day, d);
  }
  const days = [...byDay.entries()];
  fill(root, h('h2', {}, 'Per day (UTC, last 14 days)'),
    bars('Tokens per day', days.map(([day, d]) => ({label: day, value: d.tokens}))),
    bars('Cost per day (USD)', days.map(([day, d]) => ({label: day, value: d.cost})), usd),
    table('Per day and model', ['day', 'model', 'calls', 'tokens', 'cost'], rows.map((r) => [r.day, r.model, num(r.calls), num(r.input_tokens + r.output_tokens), usd(r.cost_usd)])));
}
