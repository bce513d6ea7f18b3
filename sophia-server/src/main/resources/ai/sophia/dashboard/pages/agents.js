// Agents: each with health and tools; ask one and watch its run step by step; pending approvals.
import {api, attempt, badge, field, fill, follow, h, num, say, usd, when} from '../lib.js';

export function render(root, context) {
  const cards = h('div', {class: 'cards'});
  const agent = h('select', {name: 'agent'});
  const input = h('textarea', {name: 'input', rows: 3, required: true, placeholder: 'What should the agent do?'});
  const write = h('input', {type: 'checkbox', name: 'authorize-write'});
  const deploy = h('input', {type: 'checkbox', name: 'authorize-deploy'});
  const submit = h('button', {type: 'submit'}, 'Run');
  const run = h('section', {class: 'card run', 'aria-live': 'polite'}, h('p', {class: 'muted'}, 'No run yet.'));
  const approvals = h('section', {class: 'card'});
  const runs = h('section', {class: 'card'});
  let stop = null;

  const watch = (id) => {
    if (stop) stop();
    stop = watchRun(run, id, () => refreshApprovals(approvals, context));
  };

  const form = h(
    'form',
    {class: 'card', onsubmit: (e) => {
      e.preventDefault();
      attempt(async () => {
        const authorize = [write.checked && 'write', deploy.checked && 'deploy'].filter(Boolean);
        const started = await api('POST', `/api/v1/agents/${encodeURIComponent(agent.value)}/run`, {input: input.value, authorize});
        watch(started.run_id);
        loadRuns(runs, watch);
      }, submit);
    }},
    h('h2', {}, 'Ask an agent'),
    field('Agent', agent),
    field('Message', input),
    h('fieldset', {}, h('legend', {}, 'Allow without asking'),
      h('label', {class: 'check'}, write, ' write (commits)'),
      h('label', {class: 'check'}, deploy, ' deploy')),
    submit,
  );

  fill(root, h('h1', {}, 'Agents'), cards, h('div', {class: 'grid two'}, h('div', {}, form, run), h('div', {}, approvals, runs)));

  attempt(async () => {
    const list = (await api('GET', '/api/v1/agents')).agents || [];
    fill(agent, list.map((a) => h('option', {value: a.name}, a.name)));
    fill(cards, list.map((a) =>
      h('article', {class: 'card agent', 'data-agent': a.name},
        h('h2', {}, a.name, ' ', badge(a.health?.status)),
        h('p', {class: 'muted'}, a.description || ''),
        h('p', {}, h('strong', {}, 'Tools: '), (a.tools || []).join(', ') || 'none'),
        a.missing_tools?.length ? h('p', {class: 'warn'}, 'Missing: ' + a.missing_tools.join(', ')) : null,
        a.health?.detail ? h('small', {class: 'muted'}, a.health.detail) : null)));
  });
  refreshApprovals(approvals, context);
  loadRuns(runs, watch);
  const timer = setInterval(() => refreshApprovals(approvals, context), 3000);
  return () => {
    clearInterval(timer);
    if (stop) stop();
  };
}

/** Shows a run's steps as they happen, from its event stream; returns what stops it. */
function watchRun(root, id, onApproval) {
  const steps = h('ol', {class: 'steps'});
  const answer = h('div', {class: 'answer-text'});
  const status = h('span', {}, badge('running'));
  const totals = h('p', {class: 'muted'});
  let tokens = 0;
  let cost = 0;
  const trace = h('p', {class: 'muted'});
  fill(root, h('h2', {}, 'Run ', h('code', {}, id), ' ', status), trace, steps, h('h3', {}, 'Answer'), answer, totals);
  // The trace the run is part of, when tracing is on (Tracing in the README).
  api('GET', `/api/v1/runs/${encodeURIComponent(id)}`)
    .then((r) => r.trace_id && fill(trace, 'Trace ', h('code', {'data-trace': ''}, r.trace_id)))
    .catch(() => {});
  const step = (cls, ...text) => steps.append(h('li', {class: cls}, ...text));
  return follow(
    `/api/v1/runs/${encodeURIComponent(id)}/events`,
    {
      run_started: (e) => step('start', `started ${e.agent} (${e.mode})`),
      model_reply: (e) => {
        tokens += (e.input_tokens || 0) + (e.output_tokens || 0);
        cost += e.cost_usd || 0;
        step('model', `model ${e.model}: ${num(e.input_tokens)} in, ${num(e.output_tokens)} out, ${usd(e.cost_usd)}`,
          e.tool_calls?.length ? ` → ${e.tool_calls.map((c) => c.name).join(', ')}` : '');
        totals.textContent = `${num(tokens)} tokens · ${usd(cost)}`;
      },
      token: (e) => answer.append(e.text),
      tool_started: (e) => step('tool', `tool ${e.tool} (${e.risk}) `, h('code', {}, e.arguments || '')),
      tool_finished: (e) => step('tool', `tool ${e.tool} ${e.outcome} in ${num(e.duration_ms)} ms`),
      approval_required: (e) => {
        step('wait', `waiting for approval of ${e.tool} (${e.risk})`);
        fill(status, badge('waiting_approval'));
        onApproval();
      },
      approval_decided: (e) => step('decided', `${e.granted ? 'granted' : 'denied'} by ${e.decided_by}${e.reason ? ': ' + e.reason : ''}`),
      run_finished: (e) => {
        const r = e.result || {};
        fill(status, badge(r.status));
        fill(answer, r.answer || answer.textContent);
        step('end', `finished: ${r.status}${r.note ? ' — ' + r.note : ''}`);
        onApproval();
      },
      // A run this server no longer holds live (or a drop the browser gave up on): its record.
      closed: () =>
        attempt(async () => {
          const r = await api('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
          fill(status, badge(r.status));
          fill(answer, r.result?.answer || r.output || '');
        }),
    },
    ['run_finished'],
  );
}

async function refreshApprovals(root, context) {
  let pending = [];
  try {
    pending = (await api('GET', '/api/v1/approvals')).approvals || [];
  } catch (e) {
    return fill(root, h('h2', {}, 'Pending approvals'), h('p', {class: 'error'}, e.message));
  }
  if (root.contains(document.activeElement) && root.dataset.count === String(pending.length)) return;
  root.dataset.count = String(pending.length);
  fill(root, h('h2', {}, `Pending approvals (${pending.length})`),
    pending.length === 0 ? h('p', {class: 'muted'}, 'Nothing waits for a decision.') : null,
    pending.map((a) => {
      const reason = h('input', {type: 'text', name: 'reason', maxlength: 1000, placeholder: 'Reason (optional)'});
      const decide = (decision) => (e) =>
        attempt(async () => {
          await api('POST', `/api/v1/approvals/${encodeURIComponent(a.id)}`, {decision, reason: reason.value});
          say(`${decision === 'grant' ? 'Granted' : 'Denied'} ${a.tool}.`);
          root.dataset.count = '';
          refreshApprovals(root, context);
        }, e.currentTarget);
      return h('article', {class: 'approval', 'data-approval': a.id},
        h('h3', {}, `${a.tool} `, badge(a.risk)),
        h('p', {class: 'muted'}, `agent ${a.agent} · run ${a.run_id} · ${when(a.requested_at)}`),
        h('pre', {}, a.arguments_json || ''),
        context.can('developer')
          ? h('div', {class: 'row'}, field('Reason', reason),
              h('button', {type: 'button', class: 'grant', onclick: decide('grant')}, 'Approve'),
              h('button', {type: 'button', class: 'danger', onclick: decide('deny')}, 'Deny'))
          : h('p', {class: 'muted'}, 'Deciding needs a developer key.'));
    }));
}

async function loadRuns(root, watch) {
  await attempt(async () => {
    const runs = (await api('GET', '/api/v1/runs?limit=10')).runs || [];
    fill(root, h('h2', {}, 'Recent runs'),
      h('ul', {class: 'list'}, runs.map((r) =>
        h('li', {}, h('button', {type: 'button', class: 'link', onclick: () => watch(r.run_id)}, `${r.agent} · ${r.run_id}`), ' ', badge(r.status), h('small', {class: 'muted'}, ' ' + when(r.created_at))))));
  });
}
