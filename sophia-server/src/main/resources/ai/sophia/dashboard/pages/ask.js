// Ask: research a question; the answer with each [n] linked to its source, the sources, the
// quality score and what it means; past research, searchable.
import {api, attempt, field, fill, h, num, outLink, pct, postStream, say, when} from '../lib.js';

const ENGINES = ['', 'local', 'duckduckgo', 'searxng', 'brave', 'serper', 'tavily'];
const MEANING = {
  match: 'how well the best sources match the question',
  terms: "share of the question's terms found in the sources",
  consensus: 'how much the sources agree with each other',
  lead: 'how far the best source stands out',
  coverage: 'how much of the answer the sources cover',
  support: 'share of cited sentences the cited source supports',
  estimate: 'the calibrated chance the answer is right',
  score: 'the overall quality score',
};

export function render(root, context) {
  const query = h('textarea', {name: 'query', rows: 3, maxlength: 1000, required: true, placeholder: 'What do you want to know?'});
  const engine = h('select', {name: 'engine'}, ENGINES.map((e) => h('option', {value: e}, e || 'server default')));
  const limit = h('input', {type: 'number', name: 'sources', min: 1, max: 20, value: 3});
  const submit = h('button', {type: 'submit'}, 'Research');
  const progress = h('ol', {class: 'stages', 'aria-label': 'Research stages'});
  const result = h('section', {class: 'result', 'aria-live': 'polite'});
  const search = h('input', {type: 'search', name: 'past', placeholder: 'Search past research'});
  const past = h('div', {class: 'past'});

  const form = h(
    'form',
    {class: 'card', onsubmit: (e) => {
      e.preventDefault();
      if (!context.can('user')) return say('Research needs a user key or higher.', 'error');
      attempt(async () => {
        fill(progress);
        fill(result);
        const stages = new Map();
        const body = {query: query.value, sources_limit: Number(limit.value)};
        if (engine.value) body.search_engine = engine.value;
        const answer = await postStream('/api/v1/chat', body, {
          stage: (e) => {
            for (const li of stages.values()) li.className = 'done';
            let li = stages.get(e.stage);
            if (!li) {
              li = h('li', {});
              stages.set(e.stage, li);
              progress.append(li);
            }
            li.className = 'running';
            li.textContent = `${e.stage}${e.total ? ` ${e.done} of ${e.total}` : ''}…`;
          },
        }, 'result');
        showStages(progress, answer.metadata.timings_ms || {});
        show(result, answer);
        loadPast(past, search.value);
      }, submit);
    }},
    h('h1', {}, 'Ask'),
    field('Question', query),
    h('div', {class: 'row'}, field('Search engine', engine), field('Sources', limit)),
    submit,
  );

  search.addEventListener('input', () => {
    clearTimeout(search.timer);
    search.timer = setTimeout(() => loadPast(past, search.value), 250);
  });
  past.addEventListener('click', (e) => {
    const id = e.target.closest('[data-research]')?.dataset.research;
    if (id) attempt(async () => show(result, await api('GET', '/api/v1/research/' + encodeURIComponent(id))));
  });

  fill(root, h('div', {class: 'grid two'}, h('div', {}, form, progress, result), h('aside', {class: 'card'}, h('h2', {}, 'Past research'), field('Filter', search), past)));
  loadPast(past, '');
}

function showStages(list, timings) {
  const entries = Object.entries(timings);
  fill(list, entries.map(([stage, ms]) => h('li', {class: 'done'}, `${stage.replace(/_/g, ' ')}: ${num(ms)} ms`)));
}

async function loadPast(list, q) {
  try {
    const data = await api('GET', `/api/v1/research?limit=20${q ? '&q=' + encodeURIComponent(q) : ''}`);
    const items = data.research || [];
    fill(
      list,
      items.length
        ? h('ul', {class: 'list'}, items.map((r) =>
            h('li', {}, h('button', {type: 'button', class: 'link', 'data-research': r.id}, r.query),
              h('small', {class: 'muted'}, ` ${when(r.created_at)} · quality ${num(r.quality_score, 2)} · ${r.mode || ''}`))))
        : h('p', {class: 'muted'}, q ? 'No past research matches.' : 'No research yet.'),
    );
  } catch (e) {
    fill(list, h('p', {class: 'muted'}, e.status === 404 || e.status === 405 ? 'This server does not list past research yet.' : e.message));
  }
}

/** The answer with its citations as links, then the sources and the quality. */
export function show(root, r) {
  const bySource = new Map((r.sources || []).map((s) => [s.index, s]));
  const meta = r.metadata || {};
  const quality = meta.quality || {};
  fill(
    root,
    h('article', {class: 'card answer', 'data-research-id': r.id},
      h('h2', {}, r.query),
      h('div', {class: 'answer-text'}, withCitations(r.answer || '', bySource)),
      h('p', {class: 'muted'}, `mode ${meta.mode || '–'} · engine ${meta.search_engine || '–'} · confidence ${meta.confidence || '–'}`),
      meta.note ? h('p', {class: 'note'}, meta.note) : null),
    h('section', {class: 'card'},
      h('h2', {}, 'Sources'),
      h('ol', {class: 'sources'}, (r.sources || []).map((s) =>
        h('li', {id: 'source-' + s.index, value: s.index, tabindex: -1},
          h('div', {class: 'source-title'}, outLink(s.url, s.title || s.url)),
          h('div', {class: 'muted url'}, s.url),
          h('p', {}, s.summary || ''),
          h('small', {class: 'muted'}, `relevance ${num(s.relevance_score, 2)} · ${s.source || ''}${s.published_date ? ' · ' + s.published_date : ''}`))))),
    h('section', {class: 'card'},
      h('h2', {}, `Quality ${num(r.research_quality_score, 2)}`),
      h('p', {class: 'muted'}, 'The score weighs how well the sources match and agree and how much of the answer they support; below about 0.5 treat the answer as a lead, not a fact.'),
      h('dl', {class: 'quality'}, Object.entries(quality).map(([k, v]) => [
        h('dt', {}, k),
        h('dd', {}, h('meter', {min: 0, max: 1, value: Number(v) || 0, 'aria-label': k}), ` ${typeof v === 'number' ? pct(v) : v} — ${MEANING[k] || ''}`),
      ]))),
  );
}

/** Text where each [n] becomes a link to source n (when n is one of the sources). */
function withCitations(text, sources) {
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(/\[(\d{1,2})\]/g)) {
    const source = sources.get(Number(m[1]));
    if (!source) continue;
    parts.push(text.slice(last, m.index));
    // Jumps to the source in the list below, which carries its title, address and link.
    const a = h('a', {href: '#/ask', class: 'cite', 'data-source': m[1], title: source.title || source.url, onclick: (e) => {
      e.preventDefault();
      const item = document.getElementById('source-' + m[1]);
      item.scrollIntoView({block: 'center'});
      item.focus();
    }}, `[${m[1]}]`);
    parts.push(a);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}
