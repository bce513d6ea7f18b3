// Shared helpers. Text from the server (much of it from the web) only ever goes in as text nodes:
// h() has no way to set innerHTML, and links accept only http and https addresses.

const SVG = 'http://www.w3.org/2000/svg';

/** An element: h('p', {class: 'x', onclick: fn}, 'text', child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element, for charts. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'href') {
      const safe = safeUrl(value, true);
      if (safe) el.setAttribute('href', safe);
    } else if (name === 'text') {
      el.textContent = String(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** The address when it is http(s) (or, with local, a page of the dashboard); otherwise null. */
export function safeUrl(url, local = false) {
  if (typeof url !== 'string') return null;
  if (local && url.startsWith('#')) return url;
  try {
    const u = new URL(url, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A link that opens outside the dashboard, or plain text when the address is not http(s). */
export function outLink(url, text) {
  const safe = safeUrl(url);
  const label = text || url || '';
  if (!safe) return h('span', {}, label);
  return h('a', {href: safe, target: '_blank', rel: 'noopener noreferrer'}, label);
}

/** Empties a container and fills it. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// ---- API ------------------------------------------------------------------------------------

let csrf = '';

export function setCsrf(token) {
  csrf = token || '';
}

export class ApiError extends Error {
  constructor(status, detail, field) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.field = field;
  }
}

/** Calls the API with the session cookie; changes carry the CSRF token. Throws ApiError. */
export async function api(method, path, body, retried = false) {
  const headers = {Accept: 'application/json'};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 429 && !retried) {
    // Over the key's rate limit: wait as told (at most 5 s), then try once more.
    const wait = Math.min(5, Number(res.headers.get('Retry-After')) || 1);
    await new Promise((r) => setTimeout(r, wait * 1000));
    return api(method, path, body, true);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok && res.status !== 503) {
    if (res.status === 401 && path !== '/api/v1/session') {
      window.dispatchEvent(new CustomEvent('sophia:signed-out'));
    }
    throw new ApiError(res.status, data && data.detail, data && data.field);
  }
  return data;
}

/**
 * Follows a server-sent event stream: handlers by event name get the parsed data. After a drop the
 * browser reconnects with Last-Event-ID itself, so nothing is seen twice; the stream is closed
 * when an event named in `last` arrives. Returns a function that closes it.
 */
export function follow(path, handlers, last = []) {
  const source = new EventSource(path, {withCredentials: true});
  for (const [name, handler] of Object.entries(handlers)) {
    if (name === 'closed') continue;
    source.addEventListener(name, (e) => {
      let data = null;
      try {
        data = JSON.parse(e.data);
      } catch {
        data = e.data;
      }
      handler(data, e);
      if (last.includes(name)) source.close();
    });
  }
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED && handlers.closed) handlers.closed();
  });
  return () => source.close();
}

/**
 * POSTs a change whose answer is a server-sent event stream (research with its stages): each
 * event goes to its handler as it arrives; resolves with the data of the event named `last`,
 * rejects with the problem of an `error` event or of a refused request.
 */
export async function postStream(path, body, handlers, last) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', Accept: 'text/event-stream', 'X-CSRF-Token': csrf},
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    let problem = {};
    try {
      problem = await res.json();
    } catch {
      problem = {};
    }
    if (res.status === 401) window.dispatchEvent(new CustomEvent('sophia:signed-out'));
    throw new ApiError(res.status, problem.detail, problem.field);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) throw new ApiError(0, 'the server ended the stream before the answer');
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (!data.length) continue;
      const parsed = JSON.parse(data.join('\n'));
      if (name === 'error') throw new ApiError(parsed.status, parsed.detail, parsed.field);
      if (handlers[name]) handlers[name](parsed);
      if (name === last) {
        reader.cancel();
        return parsed;
      }
    }
  }
}

// ---- formatting -----------------------------------------------------------------------------

export const num = (n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en', {maximumFractionDigits: digits, minimumFractionDigits: digits});
export const usd = (n) => (n === null || n === undefined ? '–' : '$' + Number(n).toFixed(n < 1 ? 4 : 2));
export const pct = (n) => (n === null || n === undefined ? '–' : Math.round(n * 100) + '%');
export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** Tells the person what happened, in the page's live region. */
export function say(message, kind = 'info') {
  const el = document.getElementById('status');
  el.className = 'status ' + kind;
  el.textContent = message;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => (el.textContent = ''), 6000);
}

/** Runs an async action from a form or button, showing its error rather than losing it. */
export async function attempt(action, button) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (e) {
    say(e.message, 'error');
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** A labelled field. */
export function field(label, input, hint) {
  const id = input.id || 'f-' + Math.random().toString(36).slice(2, 9);
  input.id = id;
  return h('div', {class: 'field'}, h('label', {for: id}, label), input, hint ? h('small', {class: 'muted'}, hint) : null);
}

/** A table with a header row; cells may be text or nodes. */
export function table(caption, columns, rows) {
  return h(
    'div',
    {class: 'scroll'},
    h(
      'table',
      {},
      h('caption', {class: caption ? '' : 'sr'}, caption || 'table'),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
    ),
  );
}

export function badge(status) {
  return h('span', {class: 'badge ' + String(status || '').replace(/[^a-z_]/gi, '')}, status || '–');
}

/** A horizontal bar chart: [{label, value, text}]. */
export function bars(title, items, format = (v) => num(v)) {
  const max = Math.max(1, ...items.map((i) => i.value || 0));
  const rowH = 26;
  const width = 600;
  const labelW = 200;
  const svg = s('svg', {viewBox: `0 0 ${width} ${Math.max(1, items.length) * rowH + 4}`, role: 'img', 'aria-label': title, class: 'chart'});
  items.forEach((item, i) => {
    const w = Math.max(2, ((item.value || 0) / max) * (width - labelW - 90));
    svg.append(
      s('text', {x: 0, y: i * rowH + 17, class: 'chart-label'}, truncate(item.label, 28)),
      s('rect', {x: labelW, y: i * rowH + 4, width: w, height: rowH - 8, rx: 3, class: 'chart-bar'}),
      s('text', {x: labelW + w + 6, y: i * rowH + 17, class: 'chart-value'}, format(item.value)),
    );
  });
  if (!items.length) svg.append(s('text', {x: 0, y: 18, class: 'chart-label'}, 'nothing yet'));
  return h('figure', {class: 'figure'}, h('figcaption', {}, title), svg);
}

export function truncate(text, n) {
  const t = String(text ?? '');
  return t.length > n ? t.slice(0, n - 1) + '…' : t;
}
