// Keys (admins): create one (its secret shown once), list, revoke.
import {api, attempt, badge, field, fill, h, say, table, when} from '../lib.js';

export function render(root) {
  const name = h('input', {type: 'text', name: 'name', required: true, maxlength: 64, pattern: '[A-Za-z0-9 ._-]{1,64}'});
  const role = h('select', {name: 'role'}, ['user', 'readonly', 'developer', 'admin'].map((r) => h('option', {value: r}, r)));
  const submit = h('button', {type: 'submit'}, 'Create key');
  const secret = h('div', {'aria-live': 'polite'});
  const list = h('div', {});
  const form = h('form', {class: 'card', onsubmit: (e) => {
    e.preventDefault();
    attempt(async () => {
      const k = await api('POST', '/api/v1/keys', {name: name.value, role: role.value});
      const value = h('input', {type: 'text', readonly: true, value: k.secret, class: 'secret', 'aria-label': 'New key secret'});
      fill(secret, h('div', {class: 'note'}, h('p', {}, `Key ${k.name} (${k.role}) — copy its secret now; it is not shown again.`), value,
        h('button', {type: 'button', onclick: () => navigator.clipboard?.writeText(k.secret).then(() => say('Copied.'))}, 'Copy')));
      value.select();
      name.value = '';
      load(list);
    }, submit);
  }}, h('h2', {}, 'New key'), h('div', {class: 'row'}, field('Name', name), field('Role', role)), submit, secret);
  fill(root, h('h1', {}, 'API keys'), form, h('section', {class: 'card'}, h('h2', {}, 'Keys'), list));
  load(list);
}

async function load(root) {
  await attempt(async () => {
    const keys = (await api('GET', '/api/v1/keys')).keys || [];
    fill(root, table('API keys', ['name', 'role', 'prefix', 'created', 'state', ''], keys.map((k) => [
      k.name, k.role, h('code', {}, k.prefix), when(k.created_at), k.active ? badge('active') : badge('revoked'),
      k.active ? h('button', {type: 'button', class: 'danger small', 'data-revoke': k.id, onclick: (e) => {
        if (!confirm(`Revoke key ${k.name}? Clients using it stop working within seconds.`)) return;
        attempt(async () => {
          await api('DELETE', '/api/v1/keys/' + encodeURIComponent(k.id));
          say(`Revoked ${k.name}.`);
          load(root);
        }, e.currentTarget);
      }}, 'Revoke') : '',
    ])));
  });
}
