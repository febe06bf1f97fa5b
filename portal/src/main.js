import './portal.css';
import { h, put } from './dom.js';
import { get, useCsrf, Problem } from './api.js';
import { meshList, meshPage, TABS } from './mesh.js';
import { resourcePage, KINDS } from './resources.js';
import { auditPage, apiKeysPage, membersPage, billingPage } from './tenant.js';

const ROLES = ['viewer', 'editor', 'admin', 'owner'];
const main = () => document.getElementById('main');

/** The signed-in session as the pages see it: who, which role, and a way to draw the page again. */
function sessionOf(info, tenant) {
  return {
    ...info, tenant,
    can: least => ROLES.indexOf(info.role) >= ROLES.indexOf(least),
    rerender: () => render(),
  };
}

let session = null;

async function start() {
  const params = new URLSearchParams(location.search);
  const info = await get('/portal/session');
  if (!info.signedIn) return signedOut(info, params);
  useCsrf(info.csrf);
  session = sessionOf(info, null);
  window.addEventListener('hashchange', render);
  // The header's tenant name and the page's own data are fetched side by side.
  await Promise.all([get('/v1/tenant').then(tenant => { session.tenant = tenant; chrome(); }), render()]);
  // The first page a person sees, drawn with its data: the browser tests measure from navigation to here.
  performance.mark('trellis-first-render');
}

function signedOut(info, params) {
  const notes = [];
  if (params.has('signedOut')) notes.push(h('p', { class: 'ok' }, 'You are signed out.'));
  if (params.has('signInFailed')) notes.push(h('p', { class: 'error' }, 'Signing in did not work; try again.'));
  put(document.getElementById('nav'));
  put(main(), h('h1', {}, 'Trellis'), ...notes, h('p', {}, info.message),
    info.signInUrl ? h('p', {}, h('a', { class: 'button primary', href: info.signInUrl, id: 'sign-in' }, 'Sign in'))
      : h('p', {}, h('a', { class: 'button', href: '/', id: 'open-again' }, 'Open the portal')));
}

function markNav() {
  const first = location.hash.replace(/^#\/?/, '').split('/')[0];
  for (const a of document.querySelectorAll('#nav a')) a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${first}`);
}

function chrome() {
  const links = [['#/', 'Meshes'], ['#/audit', 'Audit log', 'admin'], ['#/api-keys', 'API keys', 'admin'], ['#/members', 'Members'], ['#/billing', 'Billing']];
  put(document.getElementById('nav'), h('ul', {}, links.filter(([, , role]) => !role || session.can(role))
    .map(([href, label]) => h('li', {}, h('a', { href }, label)))));
  const signOut = h('form', { method: 'post', action: '/logout', class: 'sign-out' },
    h('input', { type: 'hidden', name: session.csrf.parameter, value: session.csrf.token }),
    h('button', { type: 'submit', id: 'sign-out' }, 'Sign out'));
  put(document.getElementById('who'),
    h('span', {}, `${session.tenant.name} · ${session.role}`), ' ', signOut);
  markNav();
  if (session.signIn === 'localhost') {
    put(document.getElementById('notice'), h('p', { class: 'local' }, session.message));
  }
}

let generation = 0;

async function render() {
  // Only the latest navigation may draw: a slower page started earlier must not overwrite it.
  const mine = ++generation;
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent).filter(p => p !== '');
  const target = main();
  target.setAttribute('aria-busy', 'true');
  try {
    const page = await route(parts);
    if (mine !== generation) return;
    put(target, ...[page].flat().filter(Boolean));
    document.title = `${target.querySelector('h1')?.textContent ?? 'Trellis'} · Trellis`;
  } catch (e) {
    if (mine !== generation) return;
    put(target, h('h1', {}, e instanceof Problem && e.status === 404 ? 'Not found' : 'Something went wrong'),
      h('p', { class: 'error', role: 'alert' }, e.message));
  } finally {
    target.removeAttribute('aria-busy');
    markNav();
  }
}

function route([first, mesh, tab, name]) {
  switch (first) {
    case undefined: return meshList(session);
    case 'meshes':
      if (tab && name && KINDS[tab]) return resourcePage(session, mesh, tab, name);
      if (tab && !TABS.includes(tab)) throw new Problem(404, { detail: `no page ${tab}` });
      return meshPage(session, mesh, tab);
    case 'audit': return auditPage();
    case 'api-keys': return apiKeysPage(session);
    case 'members': return membersPage(session);
    case 'billing': return billingPage(session);
    default: throw new Problem(404, { detail: `no page ${first}` });
  }
}

start().catch(e => put(main(), h('h1', {}, 'Trellis'), h('p', { class: 'error', role: 'alert' }, e.message)));
