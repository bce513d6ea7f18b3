// Audit (admins): the newest entries of the audit log, older pages on request, and a check of the
// hash chain. Every value is set as text (lib.js h()), so a crafted path cannot become markup.
import {api, attempt, badge, fill, h, say, table, when} from '../lib.js';

export function render(root) {
  const verdict = h('div', {'aria-live': 'polite'});
  const list = h('div', {});
  const more = h('button', {type: 'button', hidden: true}, 'Older entries');
  const check = h('button', {type: 'button', onclick: (e) => attempt(async () => {
    const v = await api('GET', '/api/v1/audit/verify');
    fill(verdict, v.intact
      ? h('p', {class: 'note'}, `Intact: ${v.entries} entries, head ${String(v.head_hash).slice(0, 16)}…`)
      : h('p', {class: 'note error', role: 'alert'}, `Broken at entry ${v.broken.seq}: ${v.broken.reason}`));
    say(v.intact ? 'The audit log is intact.' : 'The audit log is broken.', v.intact ? 'info' : 'error');
  }, e.currentTarget)}, 'Verify the chain');
  const rows = [];
  const load = (before) => attempt(async () => {
    const page = await api('GET', '/api/v1/audit?limit=50' + (before ? '&before=' + before : ''));
    for (const e of page.entries || []) {
      rows.push([String(e.seq), when(e.at), e.actor.name === '-' ? e.actor.key_id : e.actor.name,
        e.action, h('code', {}, e.target), e.source, badge(e.outcome), e.status ? String(e.status) : '']);
    }
    fill(list, rows.length ? table('Audit log, newest first',
      ['#', 'when', 'who', 'action', 'target', 'from', 'outcome', 'status'], rows)
      : h('p', {}, 'No entries yet.'));
    more.hidden = page.next_before == null;
    more.onclick = () => load(page.next_before);
  });
  fill(root, h('h1', {}, 'Audit log'),
    h('section', {class: 'card'}, h('h2', {}, 'Chain'), h('p', {},
      'Every change and every refused request, append-only; each entry is hashed with the one before it.'),
      check, verdict),
    h('section', {class: 'card'}, h('h2', {}, 'Entries'), list, more));
  load(0);
}
