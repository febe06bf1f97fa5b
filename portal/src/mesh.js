import { h, field, select, table, when, pretty, put } from './dom.js';
import { call, get, enc } from './api.js';
import { changePanel, warningGroups, failure } from './preview.js';
import { deletePanel, resourceList } from './resources.js';
import { metricsPage } from './metrics.js';
import { pagedTable } from './paging.js';

export const TABS = ['services', 'routes', 'policies', 'analysis', 'simulate', 'fleet', 'metrics', 'injection'];

export async function meshList(session) {
  const page = [h('h1', {}, 'Meshes'),
    ...await pagedTable('/v1/meshes', 'meshes', 'Meshes of this tenant', ['Name', 'mTLS', 'Updated'], m => [
      h('a', { href: `#/meshes/${enc(m.name)}` }, m.name), m.mtls ?? '—', when(m.updatedAt)])];
  if (session.can('editor')) page.push(meshEditor(null, null));
  return page;
}

/** A mesh's settings, previewed before they are stored like every other change. */
function meshEditor(mesh, stored) {
  const form = h('form', { onsubmit: e => e.preventDefault() });
  const name = h('input', { value: mesh ?? '', readOnly: Boolean(mesh), required: true, autocomplete: 'off' });
  const { name: _n, resourceVersion, createdAt, updatedAt, mtls, ...rest } = stored ?? {};
  const mtlsSelect = select(['STRICT', 'PERMISSIVE', 'DISABLED'], mtls ?? 'STRICT');
  const other = h('textarea', { rows: 3, class: 'code', spellcheck: 'false' }, JSON.stringify(rest, null, 2));
  form.append(h('fieldset', {}, h('legend', {}, mesh ? 'Mesh settings' : 'New mesh'),
    field('Mesh name', name, { path: 'name' }), field('mTLS', mtlsSelect, { path: 'mtls' }),
    field('Other fields (JSON: defaults, …)', other, { path: '' })));
  const panel = changePanel({
    form, method: 'PUT', path: () => `/v1/meshes/${enc(name.value.trim())}`,
    documentOf: () => ({ ...(other.value.trim() ? JSON.parse(other.value) : {}), mtls: mtlsSelect.value }),
    ifMatch: () => (resourceVersion ? `"${resourceVersion}"` : null),
    onApplied: m => { location.hash = `#/meshes/${enc(m.name)}`; },
  });
  form.append(panel.element);
  return h('section', { 'aria-label': mesh ? 'Mesh settings' : 'Create a mesh' }, h('h2', {}, mesh ? 'Settings' : 'Create a mesh'), form);
}

export function meshTabs(mesh, current) {
  return h('nav', { 'aria-label': `Mesh ${mesh}`, class: 'tabs' }, h('ul', {}, TABS.map(tab => h('li', {},
    h('a', { href: `#/meshes/${enc(mesh)}/${tab}`, 'aria-current': tab === current ? 'page' : null }, tab)))));
}

export async function meshPage(session, mesh, tab) {
  const body = {
    services: () => resourceList(session, mesh, 'services'),
    routes: () => resourceList(session, mesh, 'routes'),
    policies: () => resourceList(session, mesh, 'policies'),
    analysis: () => analysis(mesh),
    simulate: () => simulate(mesh),
    fleet: () => fleet(mesh),
    metrics: () => metricsPage(mesh),
    injection: () => injection(session, mesh),
  }[tab];
  if (!body) {
    const stored = await get(`/v1/meshes/${enc(mesh)}`);
    const parts = [h('h1', {}, `Mesh ${mesh}`), meshTabs(mesh, null)];
    if (session.can('editor')) {
      parts.push(meshEditor(mesh, stored), deletePanel(`/v1/meshes/${enc(mesh)}`, () => null, () => { location.hash = '#/'; }));
    } else {
      parts.push(pretty(stored));
    }
    return parts;
  }
  return [h('h1', {}, `Mesh ${mesh}: ${tab}`), meshTabs(mesh, tab), ...[await body()].flat()];
}

async function analysis(mesh) {
  const a = await get(`/v1/meshes/${enc(mesh)}/analysis`);
  return [
    h('p', {}, a.valid ? 'The mesh compiles.' : 'The mesh does not compile:'),
    a.errors?.length ? h('ul', { class: 'error' }, a.errors.map(e => h('li', {}, `${e.resource ?? ''} ${e.field}: ${e.message}`))) : null,
    h('h2', {}, 'Warnings by code'), warningGroups(a.warnings),
    table('Snapshot version per service', ['Service', 'Snapshot'], Object.entries(a.snapshots ?? {}).map(([s, v]) => [
      h('a', { href: `/v1/meshes/${enc(mesh)}/snapshots/${enc(s)}` }, s), h('code', {}, v)])),
  ];
}

function simulate(mesh) {
  const source = h('input', { autocomplete: 'off' });
  const host = h('input', { autocomplete: 'off' });
  const method = select(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], 'GET');
  const path = h('input', { value: '/' });
  const headers = h('textarea', { rows: 2, class: 'code' }, '{}');
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', {}, field('Calling service', source, { path: 'source' }), field('Host', host, { path: 'host', hint: 'A service name, or name.mesh.' }),
    field('Method', method, { path: 'method' }), field('Path', path, { path: 'path' }), field('Headers (JSON)', headers, { path: 'headers' }),
    h('button', { type: 'submit', class: 'primary' }, 'Simulate'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const { data } = await call('POST', `/v1/meshes/${enc(mesh)}/simulate`, {
        source: source.value.trim(), host: host.value.trim(), method: method.value, path: path.value, headers: JSON.parse(headers.value || '{}'),
      });
      put(out,
        table('Backends this request may reach', ['Cluster', 'Weight', 'Share'], data.backends.map(b => [b.cluster, b.weight, `${b.percent}%`])),
        data.notes?.length ? h('ul', {}, data.notes.map(n => h('li', {}, n))) : null,
        h('h3', {}, 'Matched rule, access and inbound'), pretty({ destination: data.destination, rule: data.rule, access: data.access, inbound: data.inbound }));
    } catch (err) {
      failure(out, form, err);
    }
  });
  return [form, out];
}

async function fleet(mesh) {
  const { items } = await get(`/v1/meshes/${enc(mesh)}/proxies`);
  const short = v => (v ? h('code', {}, v.replace(/^sha256:/, '').slice(0, 12)) : '—');
  return table('Proxies of the mesh', ['Proxy', 'Service', 'Version', 'Applied snapshot', 'Last rejection', 'State', 'Last seen'],
    items.map(p => [h('code', {}, p.id), p.service, p.version ?? '—', short(p.appliedVersion),
      p.rejectionReason ? `${p.rejectionReason} (${p.rejectedVersion?.slice(7, 19) ?? ''})` : '—', p.state, when(p.lastSeen)]));
}

async function injection(session, mesh) {
  const parts = [h('p', {}, 'Kubernetes: create an injector, apply its MutatingWebhookConfiguration, and label a namespace; ',
      'pods then get a proxy without changing their specs. ECS/Fargate: POST a task definition to /v1/meshes/', mesh, '/injection/ecs.'),
    ...await pagedTable(`/v1/meshes/${enc(mesh)}/injectors`, 'injectors', 'Injectors', ['Name', 'Mode', 'Failure policy', 'Native sidecars'],
      i => [i.name, i.mode, i.failurePolicy, String(i.nativeSidecars)])];
  if (!session.can('editor')) return parts;
  const form = h('form', { onsubmit: e => e.preventDefault() });
  const name = h('input', { autocomplete: 'off' });
  const mode = select(['redirect', 'explicit'], 'redirect');
  const failurePolicy = select(['Ignore', 'Fail'], 'Ignore');
  const native = h('input', { type: 'checkbox', checked: true });
  const yaml = h('div');
  form.append(h('fieldset', {}, h('legend', {}, 'New injector'), field('Injector name', name, { path: 'name' }),
    field('Mode', mode, { path: 'mode' }), field('Failure policy', failurePolicy, { path: 'failurePolicy' }),
    field('Native sidecars', native, { path: 'nativeSidecars' })));
  const panel = changePanel({
    form, method: 'PUT', path: () => `/v1/meshes/${enc(mesh)}/injectors/${enc(name.value.trim())}`,
    documentOf: () => ({ mode: mode.value, failurePolicy: failurePolicy.value, nativeSidecars: native.checked }),
    onApplied: created => put(yaml, h('h3', {}, 'Apply this to your cluster (shown once: it holds the webhook secret)'),
      h('pre', { class: 'json', tabindex: 0 }, created.webhookConfiguration ?? '(the injector existed: its secret is not shown again)')),
  });
  form.append(panel.element);
  parts.push(h('section', { 'aria-label': 'New injector' }, h('h2', {}, 'Set up injection'), form, yaml));
  return parts;
}
