// Code and deployments: recent changes with branch, commit, PR link and diff; deploy targets,
// history, the live log of a running deployment, rollback.
import {api, attempt, badge, field, fill, follow, h, num, outLink, say, table, when} from '../lib.js';

const DONE = ['healthy', 'rolled_back', 'failed'];

export function render(root, context) {
  const changes = h('section', {class: 'card'});
  const targets = h('select', {name: 'target'});
  const environment = h('input', {type: 'text', name: 'environment', value: 'production'});
  const version = h('input', {type: 'text', name: 'version', placeholder: 'the target\u2019s default'});
  const submit = h('button', {type: 'submit'}, 'Deploy');
  const history = h('section', {class: 'card'});
  const live = h('section', {class: 'card', 'aria-live': 'polite'}, h('h2', {}, 'Deployment log'), h('p', {class: 'muted'}, 'Pick a deployment.'));
  let stop = null;

  const open = (id) => {
    if (stop) stop();
    stop = watch(live, id, () => loadHistory(history, open, context));
  };
  const form = h('form', {class: 'card', onsubmit: (e) => {
    e.preventDefault();
    attempt(async () => {
      const body = {target: targets.value, environment: environment.value};
      if (version.value) body.version = version.value;
      const d = await api('POST', '/api/v1/deploy/trigger', body);
      say(`Deployment ${d.deployment_id} started.`);
      open(d.deployment_id);
      loadHistory(history, open, context);
    }, submit);
  }}, h('h2', {}, 'Deploy'), h('div', {class: 'row'}, field('Target', targets), field('Environment', environment), field('Version', version)), submit);

  fill(root, h('h1', {}, 'Code & deployments'), h('div', {class: 'grid two'}, h('div', {}, context.can('developer') ? form : null, history), live), changes);

  attempt(async () => {
    const t = (await api('GET', '/api/v1/deploy/targets')).targets || [];
    fill(targets, t.map((x) => h('option', {value: x.name}, `${x.name} (${x.type})`)));
  });
  loadHistory(history, open, context);
  loadChanges(changes);
  return () => stop && stop();
}

async function loadHistory(root, open, context) {
  await attempt(async () => {
    const list = (await api('GET', '/api/v1/deploy?limit=20')).deployments || [];
    fill(root, h('h2', {}, 'History'), list.length === 0 ? h('p', {class: 'muted'}, 'No deployments yet.') :
      table('Deployments', ['deployment', 'target', 'version', 'status', 'when', ''], list.map((d) => [
        h('button', {type: 'button', class: 'link', onclick: () => open(d.deployment_id)}, d.deployment_id),
        d.target, d.version || '–', badge(d.status), when(d.created_at),
        d.status === 'healthy' && d.previous_version && context.can('developer')
          ? h('button', {type: 'button', class: 'ghost small', onclick: (e) => attempt(async () => {
              const r = await api('POST', `/api/v1/deploy/${encodeURIComponent(d.deployment_id)}/rollback`, {});
              say(`Rolling back: ${r.deployment_id}`);
              open(r.deployment_id);
              loadHistory(root, open, context);
            }, e.currentTarget)}, 'Roll back')
          : '',
      ])));
  });
}

function watch(root, id, onEnd) {
  const lines = h('pre', {class: 'log', tabindex: 0, 'aria-label': 'Log lines'});
  const status = h('span', {}, badge('running'));
  fill(root, h('h2', {}, 'Deployment ', h('code', {}, id), ' ', status), lines);
  let close = () => {};
  close = follow(`/api/v1/deploy/${encodeURIComponent(id)}/logs`, {
    log: (e) => {
      lines.append(`${e.text}\n`);
      lines.scrollTop = lines.scrollHeight;
    },
    status: (e) => {
      fill(status, badge(e.text));
      lines.append(`— ${e.text}${e.detail ? ': ' + e.detail : ''}\n`);
      if (DONE.includes(e.text)) {
        close();
        onEnd();
      }
    },
  });
  return () => close();
}

async function loadChanges(root) {
  try {
    const list = (await api('GET', '/api/v1/code/changes?limit=20')).changes || [];
    fill(root, h('h2', {}, 'Recent code changes'), list.length === 0 ? h('p', {class: 'muted'}, 'No code changes yet.') :
      list.map((c) => {
        const d = c.detail || {};
        return h('details', {class: 'change'},
          h('summary', {}, badge(c.status), ` ${d.repository || ''} · ${d.branch_name || '–'} · `, h('code', {}, (d.commit_hash || '').slice(0, 10) || 'no commit'), ` · ${when(c.finished_at)}`),
          h('p', {}, d.pr_url ? outLink(d.pr_url, `PR #${d.pr_number ?? ''}`) : 'no pull request', d.dry_run ? ' · dry run' : '', d.reason ? ' · ' + d.reason : ''),
          h('p', {class: 'muted'}, (d.files || []).join(', ')),
          d.diff ? h('pre', {class: 'diff', tabindex: 0}, d.diff.split('\n').map((l) => h('span', {class: l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : ''}, l + '\n'))) : null);
      }));
  } catch (e) {
    fill(root, h('h2', {}, 'Recent code changes'), h('p', {class: 'muted'}, e.message));
  }
}
