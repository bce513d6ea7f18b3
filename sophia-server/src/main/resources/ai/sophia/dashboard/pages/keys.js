// Keys (admins): create one (its secret shown once), list, rotate, revoke.
import {api, attempt, badge, field, fill, h, say, table, when} from '../lib.js';

export function render(root) {
  const name = h('input', {type: 'text', name: 'name', required: true, maxlength: 64, pattern: '[A-Za-z0-9 ._-]{1,64}'});
  const role = h('select', {name: 'role'}, ['user', 'readonly', 'developer', 'admin'].map((r) => h('option', {value: r}, r)));
  const expires = h('select', {name: 'expires'}, [['', 'never'], ['30', 'in 30 days'], ['90', 'in 90 days'], ['365', 'in a year']]
    .map(([v, label]) => h('option', {value: v}, label)));
  const submit = h('button', {type: 'submit'}, 'Create key');
  const secret = h('div', {'aria-live': 'polite'});
  const list = h('div', {});
  const form = h('form', {class: 'card', onsubmit: (e) => {
    e.preventDefault();
    attempt(async () => {
      const body = {name: name.value, role: role.value};
      if (expires.value) body.expires_in_days = Number(expires.value);
      const k = await api('POST', '/api/v1/keys', body);
      show(secret, k, `Key ${k.name} (${k.role})`);
      name.value = '';
      load(list, secret);
    }, submit);
  }}, h('h2', {}, 'New key'), h('div', {class: 'row'}, field('Name', name), field('Role', role), field('Expires', expires)), submit, secret);
  fill(root, h('h1', {}, 'API keys'), form, h('section', {class: 'card'}, h('h2', {}, 'Keys'), list));
  load(list, secret);
}

/** A new secret, shown this once with a copy button. */
function show(root, k, what) {
  const value = h('input', {type: 'text', readonly: true, value: k.secret, class: 'secret', 'aria-label': 'New key secret'});
  fill(root, h('div', {class: 'note'}, h('p', {}, `${what} — copy its secret now; it is not shown again.`), value,
    h('button', {type: 'button', onclick: () => navigator.clipboard?.writeText(k.secret).then(() => say('Copied.'))}, 'Copy')));
  value.select();
}

function state(k) {
  if (k.active) return badge('active');
  return badge(k.revoked_at ? 'revoked' : 'expired');
}

async function load(root, secret) {
  await attempt(async () => {
    const keys = (await api('GET', '/api/v1/keys')).keys || [];
    fill(root, table('API keys', ['name', 'role', 'prefix', 'created', 'expires', 'state', ''], keys.map((k) => [
      k.name, k.role, h('code', {}, k.prefix), when(k.created_at), k.expires_at ? when(k.expires_at) : 'never', state(k),
      k.active ? h('span', {class: 'row'},
        h('button', {type: 'button', class: 'small', 'data-rotate': k.id, onclick: (e) => {
          if (!confirm(`Rotate key ${k.name}? Its old secret keeps working for 24 hours.`)) return;
          attempt(async () => {
            const next = await api('POST', '/api/v1/keys/' + encodeURIComponent(k.id) + '/rotate', {grace_seconds: 86400});
            show(secret, next, `New secret for ${k.name} (the old one works for 24 hours)`);
            load(root, secret);
          }, e.currentTarget);
        }}, 'Rotate'),
        h('button', {type: 'button', class: 'danger small', 'data-revoke': k.id, onclick: (e) => {
          if (!confirm(`Revoke key ${k.name}? Clients using it stop working within seconds.`)) return;
          attempt(async () => {
            await api('DELETE', '/api/v1/keys/' + encodeURIComponent(k.id));
            say(`Revoked ${k.name}.`);
            load(root, secret);
          }, e.currentTarget);
        }}, 'Revoke')) : '',
    ])));
  });
}
