// Knowledge: ingest a URL (crawl) or a folder on the server while it runs, with progress; browse,
// search and delete indexed documents.
import {api, attempt, badge, field, fill, follow, h, num, outLink, say, table, truncate, when} from '../lib.js';

export function render(root, context) {
  const url = h('input', {type: 'url', name: 'url', placeholder: 'https://docs.example.org/'});
  const maxPages = h('input', {type: 'number', name: 'max_pages', min: 1, max: 10000, value: 50});
  const path = h('input', {type: 'text', name: 'path', placeholder: '/srv/docs (admins)'});
  const submit = h('button', {type: 'submit'}, 'Ingest');
  const progress = h('div', {'aria-live': 'polite'});
  const ingests = h('div', {});
  const q = h('input', {type: 'search', name: 'q', placeholder: 'Search what Sophia knows'});
  const docs = h('div', {});
  let stop = null;

  const watch = (id) => {
    if (stop) stop();
    const meter = h('progress', {max: 1, 'aria-label': 'Ingest progress'});
    const line = h('p', {class: 'muted'}, 'starting…');
    fill(progress, h('h3', {}, 'Ingest ', h('code', {}, id)), meter, line);
    stop = follow(`/api/v1/ingest/${encodeURIComponent(id)}/events`, {
      progress: (e) => {
        line.textContent = `${e.stage}: ${num(e.pages_read)} read, ${num(e.pages_indexed)} indexed, ${num(e.pages_queued)} queued${e.url ? ' · ' + truncate(e.url, 80) : ''}`;
        if (e.pages_queued) meter.value = e.pages_read / (e.pages_read + e.pages_queued);
      },
      done: (d) => {
        const v = d.job || d;
        meter.value = 1;
        line.textContent = `${v.status}: ${num(v.pages_read)} read, ${num(v.pages_indexed)} indexed, ${num(v.pages_unchanged)} unchanged, ${num(v.skipped?.length ?? 0)} skipped${v.error ? ' · ' + v.error : ''}`;
        loadIngests(ingests, watch);
        loadDocs(docs, '');
      },
    }, ['done']);
  };

  const form = h('form', {class: 'card', onsubmit: (e) => {
    e.preventDefault();
    attempt(async () => {
      const body = path.value ? {path: path.value} : {url: url.value, max_pages: Number(maxPages.value)};
      const started = await api('POST', '/api/v1/ingest', body);
      say(`Ingesting ${started.source}.`);
      watch(started.id);
      loadIngests(ingests, watch);
    }, submit);
  }}, h('h2', {}, 'Ingest'), h('div', {class: 'row'}, field('URL to crawl', url), field('Max pages', maxPages)),
  context.can('admin') ? field('…or a folder on the server', path) : null, submit, progress);

  q.addEventListener('input', () => {
    clearTimeout(q.timer);
    q.timer = setTimeout(() => loadDocs(docs, q.value), 250);
  });
  fill(root, h('h1', {}, 'Knowledge'),
    h('div', {class: 'grid two'}, h('div', {}, context.can('developer') ? form : null, h('section', {class: 'card'}, h('h2', {}, 'Ingests'), ingests)),
      h('section', {class: 'card'}, h('h2', {}, 'Documents'), field('Search', q), docs)));
  loadIngests(ingests, watch);
  loadDocs(docs, '');
  return () => stop && stop();
}

async function loadIngests(root, watch) {
  try {
    const list = (await api('GET', '/api/v1/ingest')).ingests || [];
    fill(root, list.length === 0 ? h('p', {class: 'muted'}, 'Nothing ingested while this server runs.') :
      table('Ingests', ['source', 'status', 'indexed', 'started'], list.map((i) => [
        h('button', {type: 'button', class: 'link', onclick: () => watch(i.id)}, truncate(i.source, 60)), badge(i.status), num(i.pages_indexed), when(i.started_at)])));
  } catch (e) {
    fill(root, h('p', {class: 'muted'}, e.status === 404 || e.status === 405 ? 'This server cannot ingest over the API yet.' : e.message));
  }
}

async function loadDocs(root, q, after) {
  try {
    if (q) {
      const r = (await api('GET', `/api/v1/memory/search?limit=20&q=${encodeURIComponent(q)}`)).results || [];
      return fill(root, list(r.map((d) => ({...d, snippet: d.text})), root, q));
    }
    const page = await api('GET', `/api/v1/memory/documents?limit=25${after ? '&after=' + encodeURIComponent(after) : ''}`);
    fill(root, list(page.documents || [], root, q),
      page.next_after ? h('button', {type: 'button', class: 'ghost', onclick: () => loadDocs(root, q, page.next_after)}, 'Next page') : null);
  } catch (e) {
    fill(root, h('p', {class: 'muted'}, e.status === 404 || e.status === 405 ? 'This server cannot list documents yet.' : e.message));
  }
}

function list(items, root, q) {
  if (!items.length) return h('p', {class: 'muted'}, 'No documents.');
  return h('ul', {class: 'list docs'}, items.map((d) =>
    h('li', {},
      h('div', {}, outLink(d.url, d.title || d.url)),
      h('small', {class: 'muted'}, `${d.collection || ''}${d.ingested_at ? ' · ' + when(d.ingested_at) : ''}${d.relevance_score != null ? ' · relevance ' + num(d.relevance_score, 2) : ''}`),
      d.snippet ? h('p', {}, truncate(d.snippet, 240)) : null,
      h('button', {type: 'button', class: 'danger small', onclick: (e) => {
        if (!confirm(`Delete ${d.url} from the index?`)) return;
        attempt(async () => {
          await api('DELETE', `/api/v1/memory/documents?url=${encodeURIComponent(d.url)}`);
          say('Deleted.');
          loadDocs(root, q);
        }, e.currentTarget);
      }}, 'Delete'))));
}
