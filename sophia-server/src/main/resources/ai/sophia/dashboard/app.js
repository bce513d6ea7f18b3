// The dashboard's shell: sign-in, the navigation, the theme, and one page at a time by its #/name.
import {api, attempt, field, fill, h, say, setCsrf} from './lib.js';

const RANK = {readonly: 0, user: 1, developer: 2, admin: 3};
const PAGES = [
  {name: 'ask', title: 'Ask', module: './pages/ask.js'},
  {name: 'agents', title: 'Agents', module: './pages/agents.js'},
  {name: 'swarms', title: 'Swarms', module: './pages/swarms.js'},
  {name: 'knowledge', title: 'Knowledge', module: './pages/knowledge.js'},
  {name: 'code', title: 'Code & deploys', module: './pages/code.js'},
  {name: 'ops', title: 'Operations', module: './pages/ops.js'},
  {name: 'keys', title: 'Keys', module: './pages/keys.js', role: 'admin'},
  {name: 'audit', title: 'Audit', module: './pages/audit.js', role: 'admin'},
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let session = null;
let leave = null;

/** What a page gets: who is signed in and whether their role reaches a level. */
const context = {
  get session() {
    return session;
  },
  can: (role) => session !== null && RANK[session.role] >= RANK[role],
};

function theme() {
  const button = document.getElementById('theme');
  const apply = (name) => {
    document.documentElement.dataset.theme = name;
    button.textContent = name === 'dark' ? 'Light theme' : 'Dark theme';
    button.setAttribute('aria-pressed', String(name === 'light'));
  };
  apply(localStorage.getItem('sophia.theme') || 'dark');
  button.addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('sophia.theme', next);
    apply(next);
  });
}

/** The sign-ins this server offers (GET /api/v1/session/options); the key's alone if unknown. */
async function signInOptions() {
  try {
    return await api('GET', '/api/v1/session/options');
  } catch (e) {
    return {key: true, oidc: {enabled: false}};
  }
}

async function signInPage() {
  const options = await signInOptions();
  session = null;
  nav.hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('who').textContent = '';
  const key = h('input', {type: 'password', name: 'api_key', autocomplete: 'current-password', required: true, placeholder: 'sk-sophia-…'});
  const code = h('input', {type: 'text', name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6});
  const submit = h('button', {type: 'submit'}, 'Sign in');
  const form = h(
    'form',
    {class: 'card signin', onsubmit: (e) => {
      e.preventDefault();
      attempt(async () => {
        const body = {api_key: key.value};
        if (code.value) body.totp = code.value;
        const opened = await api('POST', '/api/v1/session', body);
        key.value = '';
        code.value = '';
        await signedIn(opened);
      }, submit);
    }},
    h('h1', {}, 'Sign in to Sophia'),
    options.oidc.enabled
      ? [
        h('button', {type: 'button', class: 'ghost wide', 'data-signin': 'oidc', onclick: () => location.assign(options.oidc.login_url)}, 'Sign in with ' + options.oidc.name),
        h('p', {class: 'muted'}, 'Or with an API key:'),
      ]
      : [],
    h('p', {class: 'muted'}, 'Your API key is exchanged for a short session; the key itself is not kept by this page.'),
    field('API key', key, 'sophia keys create --name me --role developer prints one; the first start prints an admin key.'),
    field('One-time code', code, 'Only for an admin key with a second factor (sophia keys totp ID): the 6 digits of your authenticator app.'),
    submit,
  );
  fill(main, form);
  key.focus();
  ready('signin');
}

/** Marks a page as rendered, for the tests and the load benchmark (performance marks). */
function ready(name) {
  main.dataset.ready = name;
  performance.mark('sophia:ready:' + name);
}

async function signedIn(who) {
  session = who;
  setCsrf(who.csrf_token);
  document.getElementById('who').textContent = `${who.name} · ${who.role}`;
  const out = document.getElementById('signout');
  out.hidden = false;
  fill(
    nav,
    h('ul', {}, PAGES.filter((p) => !p.role || context.can(p.role)).map((p) => h('li', {}, h('a', {href: '#/' + p.name, 'data-page': p.name}, p.title)))),
  );
  nav.hidden = false;
  await route();
}

async function route() {
  if (!session) return;
  const name = (location.hash.match(/^#\/([a-z]+)/) || [])[1] || 'ask';
  const page = PAGES.find((p) => p.name === name && (!p.role || context.can(p.role))) || PAGES[0];
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.page === page.name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (leave) leave();
  leave = null;
  document.title = `${page.title} · Sophia`;
  const container = h('div', {class: 'page', 'data-page': page.name});
  fill(main, container);
  try {
    const module = await import(page.module);
    leave = (await module.render(container, context)) || null;
  } catch (e) {
    fill(container, h('p', {class: 'error'}, 'This page could not load: ' + e.message));
  }
  ready(page.name);
}

async function start() {
  theme();
  document.getElementById('signout').addEventListener('click', () =>
    attempt(async () => {
      await api('DELETE', '/api/v1/session');
      if (leave) leave();
      leave = null;
      signInPage();
      say('Signed out.');
    }),
  );
  window.addEventListener('hashchange', route);
  window.addEventListener('sophia:signed-out', () => {
    if (session) {
      if (leave) leave();
      leave = null;
      signInPage();
      say('Your session has ended; sign in again.', 'error');
    }
  });
  let who;
  try {
    who = await api('GET', '/api/v1/session');
  } catch (e) {
    if (e.status === 401) return signInPage();
    return fill(main, h('p', {class: 'error'}, 'Sophia did not answer: ' + e.message + '. Reload to try again.'));
  }
  await signedIn(who);
}

start();
