// Swarms: start one; its plan, a timeline of its steps, coordination logs, per-agent results and
// quality report, live; list, filter, cancel.
import {api, attempt, badge, bars, field, fill, follow, h, num, pct, s, say, truncate, usd, when} from '../lib.js';

const FINISHED = ['succeeded', 'failed', 'cancelled', 'timed_out'];

export function render(root, context) {
  const task = h('textarea', {name: 'task', rows: 3, maxlength: 4000, required: true, placeholder: 'What should the swarm do?'});
  const agents = h('input', {type: 'text', name: 'agents', placeholder: 'research, analysis (default)'});
  const pattern = h('select', {name: 'pattern'}, ['', 'research', 'development', 'monitoring'].map((p) => h('option', {value: p}, p || 'chosen from the task')));
  const write = h('input', {type: 'checkbox', name: 'authorize-write'});
  const deploy = h('input', {type: 'checkbox', name: 'authorize-deploy'});
  const submit = h('button', {type: 'submit'}, 'Start swarm');
  const filter = h('select', {name: 'status'}, ['', 'pending', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled'].map((p) => h('option', {value: p}, p || 'any status')));
  const list = h('div', {});
  const detail = h('section', {class: 'swarm', 'aria-live': 'polite'});
  let stop = null;

  const open = (id) => {
    if (stop) stop();
    stop = watch(detail, id, () => loadList(list, filter.value, open, context));
  };

  const form = h(
    'form',
    {class: 'card', onsubmit: (e) => {
      e.preventDefault();
      attempt(async () => {
        const body = {task: task.value};
        const names = agents.value.split(',').map((a) => a.trim()).filter(Boolean);
        if (names.length) body.agents = names;
        if (pattern.value) body.pattern = pattern.value;
        const authorize = [write.checked && 'write', deploy.checked && 'deploy'].filter(Boolean);
        if (authorize.length) body.authorize = authorize;
        const started = await api('POST', '/api/v1/swarm/trigger', body);
        say(`Swarm ${started.task_id} started.`);
        open(started.task_id);
        loadList(list, filter.value, open, context);
      }, submit);
    }},
    h('h2', {}, 'Start a swarm'),
    field('Task', task),
    h('div', {class: 'row'}, field('Agents', agents, 'comma-separated'), field('Pattern', pattern)),
    h('fieldset', {}, h('legend', {}, 'Authorize'), h('label', {class: 'check'}, write, ' write'), h('label', {class: 'check'}, deploy, ' deploy')),
    submit,
  );
  filter.addEventListener('change', () => loadList(list, filter.value, open, context));

  fill(root, h('h1', {}, 'Swarms'), h('div', {class: 'grid two'}, h('div', {}, form, h('section', {class: 'card'}, h('h2', {}, 'Swarms'), field('Filter', filter), list)), detail));
  loadList(list, '', open, context);
  return () => stop && stop();
}

async function loadList(root, status, open, context) {
  await attempt(async () => {
    const swarms = (await api('GET', `/api/v1/swarm?limit=20${status ? '&status=' + status : ''}`)).swarms || [];
    fill(root, swarms.length === 0 ? h('p', {class: 'muted'}, 'No swarms.') : h('ul', {class: 'list'}, swarms.map((w) =>
      h('li', {'data-swarm': w.task_id},
        h('button', {type: 'button', class: 'link', onclick: () => open(w.task_id)}, truncate(w.task, 70)), ' ', badge(w.status),
        h('small', {class: 'muted'}, ` ${w.pattern} · ${when(w.created_at)}`),
        !FINISHED.includes(w.status) && context.can('user')
          ? h('button', {type: 'button', class: 'ghost small', onclick: (e) => attempt(async () => {
              await api('POST', `/api/v1/swarm/${encodeURIComponent(w.task_id)}/cancel`);
              say('Cancelling ' + w.task_id);
              loadList(root, status, open, context);
            }, e.currentTarget)}, 'Cancel')
          : null))));
  });
}

/** Follows a swarm's events and redraws its report as they come; returns what stops it. */
function watch(root, id, onEnd) {
  const logs = h('ol', {class: 'steps'});
  const report = h('div', {});
  let resumed = false;
  let pending = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      await attempt(async () => draw(report, await api('GET', `/api/v1/swarm/${encodeURIComponent(id)}`), resumed));
    }, 150);
  };
  fill(root, h('div', {class: 'card'}, h('h2', {}, 'Swarm ', h('code', {}, id)), report), h('div', {class: 'card'}, h('h3', {}, 'Events'), logs));
  const log = (text) => logs.append(h('li', {}, text));
  const handlers = {};
  for (const name of ['run_started', 'step_started', 'step_finished', 'step_failed', 'step_retrying', 'approval_required', 'approval_decided', 'plan', 'agent_assigned', 'agent_started', 'agent_tool', 'agent_waiting_approval', 'agent_finished', 'log', 'usage']) {
    handlers[name] = (e) => {
      log(`${name.replace(/_/g, ' ')}${e.step ? ' · ' + e.step : ''}${e.message ? ' · ' + e.message : ''}${e.agent ? ' · ' + e.agent : ''}`);
      refresh();
    };
  }
  handlers.run_resumed = () => {
    resumed = true;
    log('resumed after a restart');
    refresh();
  };
  handlers.run_finished = () => {
    log('finished');
    refresh();
    onEnd();
  };
  handlers.closed = refresh;
  refresh();
  return follow(`/api/v1/swarm/${encodeURIComponent(id)}/events`, handlers, ['run_finished']);
}

function draw(root, r, resumed) {
  const q = r.results?.quality_report;
  const perf = r.swarm_performance || {};
  const wasResumed = resumed || (r.coordination_logs || []).some((l) => /resum/i.test(l.message || ''));
  fill(root,
    h('p', {}, badge(r.status), ` ${r.pattern} · mode ${r.mode || '–'} · ${r.task}`),
    r.trace_id ? h('p', {class: 'muted'}, 'Trace ', h('code', {'data-trace': ''}, r.trace_id)) : null,
    wasResumed ? h('p', {class: 'note'}, 'This run was resumed after a restart: finished steps were kept, the rest ran again.') : null,
    r.plan ? h('div', {}, h('h3', {}, 'Plan'), r.plan.note ? h('p', {class: 'muted'}, r.plan.note) : null,
      h('ol', {}, (r.plan.subtasks || []).map((t) => h('li', {}, `${t.agent}: ${t.task}`)))) : null,
    h('h3', {}, 'Timeline'), timeline(r.execution_timeline || []),
    h('h3', {}, 'Results'),
    h('div', {class: 'cards'}, (r.results?.per_agent || []).map((a) =>
      h('article', {class: 'card agent-result'}, h('h4', {}, `${a.agent} `, badge(a.status)),
        h('p', {class: 'muted'}, `${a.subtask || a.task || ''}`),
        h('p', {}, truncate(a.answer || '', 600)),
        h('small', {class: 'muted'}, `${num(a.duration_ms)} ms · ${num(a.model_calls)} model calls · ${usd(a.cost_usd)}`)))),
    r.results?.aggregated ? h('div', {}, h('h3', {}, 'Aggregated'), h('p', {class: 'answer-text'}, r.results.aggregated.text || '')) : null,
    q ? h('div', {class: 'quality-report'}, h('h3', {}, 'Quality report'),
      h('p', {}, `quality ${pct(q.quality_score)} · completeness ${pct(q.completeness_score)} · overall ${pct(q.overall_score)} · `, q.meets_threshold ? badge('meets_threshold') : badge('below_threshold')),
      h('ul', {}, (q.recommendations || []).map((t) => h('li', {}, t)))) : null,
    h('p', {class: 'muted'}, `${num(perf.duration_ms)} ms · ${num(perf.agent_runs)} agent runs · ${num(perf.model_calls)} model calls · ${usd(perf.cost_usd)}`),
    h('h3', {}, 'Coordination log'),
    h('ol', {class: 'steps'}, (r.coordination_logs || []).map((l) => h('li', {}, `${l.step || ''} ${l.message || ''}`))),
  );
}

/** A Gantt-like chart of the steps on one time axis. */
function timeline(steps) {
  const times = steps.filter((t) => t.started_at).map((t) => [Date.parse(t.started_at), Date.parse(t.finished_at || new Date().toISOString())]);
  if (!times.length) return h('p', {class: 'muted'}, 'No step has started yet.');
  const t0 = Math.min(...times.map((t) => t[0]));
  const t1 = Math.max(...times.map((t) => t[1]), t0 + 1);
  const rowH = 24;
  const width = 600;
  const labelW = 170;
  const svg = s('svg', {viewBox: `0 0 ${width} ${steps.length * rowH + 4}`, role: 'img', 'aria-label': 'Timeline of the swarm steps', class: 'chart timeline'});
  steps.forEach((t, i) => {
    const start = t.started_at ? Date.parse(t.started_at) : t1;
    const end = t.finished_at ? Date.parse(t.finished_at) : t1;
    const x = labelW + ((start - t0) / (t1 - t0)) * (width - labelW - 70);
    const w = Math.max(3, ((end - start) / (t1 - t0)) * (width - labelW - 70));
    svg.append(
      s('text', {x: 0, y: i * rowH + 16, class: 'chart-label'}, truncate(t.name || t.step, 24)),
      s('rect', {x, y: i * rowH + 4, width: w, height: rowH - 8, rx: 3, class: 'chart-bar ' + String(t.status || '').replace(/[^a-z_]/g, '')}, s('title', {}, `${t.name || t.step}: ${t.status}, ${num(t.duration_ms)} ms`)),
      s('text', {x: x + w + 4, y: i * rowH + 16, class: 'chart-value'}, t.duration_ms != null ? `${num(t.duration_ms)} ms` : t.status),
    );
  });
  return h('figure', {class: 'figure'}, svg, h('figcaption', {class: 'sr'}, steps.map((t) => `${t.name || t.step} ${t.status}`).join(', ')));
}
