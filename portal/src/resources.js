import { h, field, select, when, put } from './dom.js';
import { call, enc, Problem } from './api.js';
import { pagedTable } from './paging.js';
import { changePanel, changeList, failure, warningGroups } from './preview.js';

const META = ['name', 'resourceVersion', 'createdAt', 'updatedAt'];
export const KINDS = {
  services: { singular: 'service', blank: () => ({ protocol: 'http', port: 8080, versions: [{ name: 'v1' }] }) },
  routes: {
    singular: 'route',
    blank: () => ({ service: '', rules: [{ match: { pathPrefix: '/' }, backends: [
      { service: '', version: 'v1', weight: 90 }, { service: '', version: 'v2', weight: 10 }] }] }),
  },
  policies: { singular: 'policy', blank: () => ({ kind: 'RETRY', target: { service: '' }, spec: {} }) },
};

function strip(resource) {
  const doc = { ...resource };
  for (const key of META) delete doc[key];
  return doc;
}

function json(value) {
  return JSON.stringify(value, null, 2);
}

function parseJson(text, what) {
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch (e) {
    throw new Error(`${what} is not valid JSON: ${e.message}`);
  }
}

/** A number when the text is one; otherwise the text itself, so the API names the field it refuses. */
function numberOr(text) {
  return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
}

function list(text) {
  return text.split(',').map(s => s.trim()).filter(Boolean);
}

function jsonArea(label, value, path, rows = 6) {
  const area = h('textarea', { rows, spellcheck: 'false', class: 'code' }, json(value));
  return { area, el: field(label, area, { path }) };
}

/** The editor of one mesh resource: structured fields for what people change most, JSON for the rest. */
export async function resourcePage(session, mesh, kind, name) {
  const spec = KINDS[kind];
  const creating = name === '+new';
  let etag = null;
  let doc = spec.blank();
  if (!creating) {
    const answer = await call('GET', `/v1/meshes/${enc(mesh)}/${kind}/${enc(name)}`);
    etag = answer.headers.get('ETag');
    doc = strip(answer.data);
  }
  const writable = session.can('editor');
  const form = h('form', { class: 'editor', onsubmit: e => e.preventDefault() });
  const nameInput = h('input', { value: creating ? '' : name, required: true, readOnly: !creating, autocomplete: 'off' });
  const build = kind === 'routes' ? routeFields(doc, () => panel) : kind === 'services' ? serviceFields(doc) : policyFields(doc);
  const fields = h('fieldset', { disabled: !writable }, h('legend', {}, `${creating ? 'New' : 'Edit'} ${spec.singular}`),
    field('Name', nameInput, { path: 'name' }), build.el);
  form.append(fields);
  const target = () => `/v1/meshes/${enc(mesh)}/${kind}/${enc(nameInput.value.trim())}`;
  const panel = changePanel({
    form, method: 'PUT', path: target,
    documentOf: build.document, ifMatch: () => etag,
    onApplied: stored => { location.hash = `#/meshes/${enc(mesh)}/${kind}/${enc(stored.name)}`; },
  });
  if (writable) form.append(panel.element);
  const page = [h('h1', {}, creating ? `New ${spec.singular} in ${mesh}` : `${spec.singular[0].toUpperCase()}${spec.singular.slice(1)} ${name}`),
    h('p', {}, h('a', { href: `#/meshes/${enc(mesh)}/${kind}` }, `← ${kind} of ${mesh}`)), form];
  if (!creating && writable) page.push(deletePanel(`/v1/meshes/${enc(mesh)}/${kind}/${enc(name)}`, () => etag,
    () => { location.hash = `#/meshes/${enc(mesh)}/${kind}`; }));
  return page;
}

/** Deleting previews too: the snapshots the deletion changes, then a confirmation. */
export function deletePanel(path, ifMatch, onDeleted) {
  const report = h('div', { class: 'report', 'aria-live': 'polite' });
  const confirm = h('button', { type: 'button', class: 'danger', hidden: true }, 'Delete now');
  confirm.addEventListener('click', async () => {
    try {
      await call('DELETE', path, undefined, ifMatch() ? { 'If-Match': ifMatch() } : {});
      onDeleted();
    } catch (e) {
      failure(report, null, e);
    }
  });
  const preview = h('button', { type: 'button', class: 'danger-outline' }, 'Preview delete');
  preview.addEventListener('click', async () => {
    try {
      const { data } = await call('DELETE', `${path}?dryRun=true`);
      put(report, h('h3', {}, 'Deleting changes'), changeList(data.changes), warningGroups(data.warnings));
      confirm.hidden = false;
    } catch (e) {
      failure(report, null, e);
    }
  });
  return h('section', { 'aria-label': 'Delete', class: 'delete' }, h('h2', {}, 'Delete'), preview, ' ', confirm, report);
}

function serviceFields(doc) {
  const { protocol, port, versions, loadBalancer, dependsOn, ...rest } = doc;
  const protocolSelect = select(['http', 'grpc', 'tcp'], protocol ?? 'http');
  const portInput = h('input', { inputmode: 'numeric', value: port ?? '' });
  const versionsInput = h('input', { value: (versions ?? []).map(v => v.name).join(', ') });
  const lb = select(['', 'ROUND_ROBIN', 'LEAST_REQUEST', 'EWMA'], loadBalancer?.algorithm ?? '');
  const depends = h('input', { value: (dependsOn ?? []).join(', ') });
  const other = jsonArea('Other fields (JSON: endpoints, …)', rest, '');
  const keptVersions = new Map((versions ?? []).map(v => [v.name, v]));
  return {
    el: h('div', {}, field('Protocol', protocolSelect, { path: 'protocol' }), field('Port', portInput, { path: 'port' }),
      field('Versions', versionsInput, { path: 'versions', hint: 'Names, separated by commas (v1, v2).' }),
      field('Load balancer', lb, { path: 'loadBalancer' }),
      field('Depends on', depends, { path: 'dependsOn', hint: 'Services this one calls, separated by commas.' }), other.el),
    document: () => {
      const d = { ...parseJson(other.area.value, 'Other fields'), protocol: protocolSelect.value, port: numberOr(portInput.value) };
      const names = list(versionsInput.value);
      if (names.length) d.versions = names.map(n => keptVersions.get(n) ?? { name: n });
      if (lb.value) d.loadBalancer = { ...(loadBalancer ?? {}), algorithm: lb.value };
      const deps = list(depends.value);
      if (deps.length) d.dependsOn = deps;
      return d;
    },
  };
}

function policyFields(doc) {
  const kinds = ['RETRY', 'TIMEOUT', 'CIRCUIT_BREAKER', 'OUTLIER_DETECTION', 'RATE_LIMIT', 'FAULT_INJECTION', 'ACCESS', 'LOAD_BALANCER'];
  const { kind, target, spec, ...rest } = doc;
  const kindSelect = select(kinds, kind ?? 'RETRY');
  const service = h('input', { value: target?.service ?? '' });
  const route = h('input', { value: target?.route ?? '' });
  const specArea = jsonArea('Spec (JSON)', spec ?? {}, 'spec', 8);
  const other = jsonArea('Other fields (JSON)', rest, '', 3);
  return {
    el: h('div', {}, field('Kind', kindSelect, { path: 'kind' }), field('Target service', service, { path: 'target.service' }),
      field('Target route (optional)', route, { path: 'target.route' }), specArea.el, other.el),
    document: () => {
      const t = { service: service.value.trim() };
      if (route.value.trim()) t.route = route.value.trim();
      return { ...parseJson(other.area.value, 'Other fields'), kind: kindSelect.value, target: t, spec: parseJson(specArea.area.value, 'Spec') };
    },
  };
}

/** Routes: per rule, its weighted backends as fields (a slider for a two-way canary split) and its other settings as JSON. */
function routeFields(doc, panelOf) {
  const { service, rules, ...rest } = doc;
  const serviceInput = h('input', { value: service ?? '' });
  const other = jsonArea('Other fields (JSON)', rest, '', 3);
  const ruleBox = h('div', { class: 'rules' });
  const editors = [];
  const addRule = rule => {
    const index = editors.length;
    const editor = ruleEditor(rule, index, panelOf);
    editors.push(editor);
    ruleBox.append(editor.el);
  };
  (rules ?? []).forEach(addRule);
  const more = h('button', { type: 'button', onclick: () => addRule({ match: { pathPrefix: '/' }, backends: [{ service: serviceInput.value, weight: 100 }] }) }, 'Add rule');
  return {
    el: h('div', {}, field('Target service', serviceInput, { path: 'service' }), ruleBox, more, other.el),
    document: () => ({ ...parseJson(other.area.value, 'Other fields'), service: serviceInput.value.trim(),
      rules: editors.filter(e => !e.removed).map(e => e.document()) }),
  };
}

function ruleEditor(rule, i, panelOf) {
  const { backends, ...settings } = rule;
  const rows = h('tbody');
  const backendInputs = [];
  const addBackend = b => {
    const j = backendInputs.length;
    const inputs = {
      service: h('input', { value: b.service ?? '', 'aria-label': `Rule ${i + 1} backend ${j + 1} service` }),
      version: h('input', { value: b.version ?? '', 'aria-label': `Rule ${i + 1} backend ${j + 1} version` }),
      weight: h('input', { inputmode: 'numeric', value: b.weight ?? '', 'aria-label': `Rule ${i + 1} backend ${j + 1} weight`, class: 'weight' }),
      extra: Object.fromEntries(Object.entries(b).filter(([k]) => !['service', 'version', 'weight'].includes(k))),
    };
    backendInputs.push(inputs);
    const cell = (input, key) => {
      const path = `rules[${i}].backends[${j}].${key}`;
      input.dataset.path = path;
      input.id = `r${i}b${j}${key}`;
      const error = h('p', { class: 'field-error', id: `${input.id}-error`, hidden: true, dataset: { errorFor: path } });
      input.setAttribute('aria-describedby', error.id);
      return h('td', {}, input, error);
    };
    rows.append(h('tr', {}, cell(inputs.service, 'service'), cell(inputs.version, 'version'), cell(inputs.weight, 'weight')));
    syncSlider();
  };
  const slider = h('input', { type: 'range', min: 0, max: 100, step: 1, id: `r${i}split`, class: 'split' });
  const readout = h('output', { for: slider.id });
  const splitBox = h('div', { class: 'field canary', hidden: true },
    h('label', { for: slider.id }, `Canary split of rule ${i + 1} (share of the second backend)`), slider, readout);
  function syncSlider() {
    splitBox.hidden = backendInputs.length !== 2;
    if (backendInputs.length === 2) {
      const second = Number(backendInputs[1].weight.value) || 0;
      const total = (Number(backendInputs[0].weight.value) || 0) + second;
      slider.value = total ? Math.round(100 * second / total) : 0;
      readout.value = `${100 - slider.value}% / ${slider.value}%`;
    }
  }
  let debounce;
  slider.addEventListener('input', () => {
    backendInputs[0].weight.value = 100 - Number(slider.value);
    backendInputs[1].weight.value = Number(slider.value);
    readout.value = `${100 - slider.value}% / ${slider.value}%`;
    clearTimeout(debounce);
    // The split is previewed as it is moved; applying it stays a separate, deliberate step.
    debounce = setTimeout(() => panelOf().run(), 300);
  });
  (backends ?? []).forEach(addBackend);
  const settingsArea = jsonArea(`Rule ${i + 1} settings (JSON: match, timeout, retry, …)`, settings, `rules[${i}]`, 5);
  const editor = { removed: false };
  const el = h('fieldset', { class: 'rule' }, h('legend', {}, `Rule ${i + 1}`),
    h('table', { class: 'backends' }, h('caption', {}, `Backends of rule ${i + 1}`),
      h('thead', {}, h('tr', {}, ['Service', 'Version', 'Weight'].map(t => h('th', { scope: 'col' }, t)))), rows),
    h('button', { type: 'button', onclick: () => addBackend({ weight: 0 }) }, 'Add backend'), ' ',
    h('button', { type: 'button', onclick: () => { editor.removed = true; el.remove(); } }, `Remove rule ${i + 1}`),
    splitBox, settingsArea.el);
  rows.addEventListener('input', syncSlider);
  editor.el = el;
  editor.document = () => ({
    ...parseJson(settingsArea.area.value, `Rule ${i + 1} settings`),
    backends: backendInputs.map(b => {
      const out = { ...b.extra, service: b.service.value.trim() };
      if (b.version.value.trim()) out.version = b.version.value.trim();
      out.weight = numberOr(b.weight.value);
      return out;
    }),
  });
  return editor;
}

/** A list of one kind of resource in a mesh. */
export async function resourceList(session, mesh, kind) {
  const columns = {
    services: s => [s.protocol, s.port, (s.versions ?? []).map(v => v.name).join(', ')],
    routes: r => [r.service, (r.rules ?? []).map(rule => (rule.backends ?? []).map(b => `${b.version ?? b.service} ${b.weight}`).join(' / ')).join('; ')],
    policies: p => [p.kind, p.target?.service + (p.target?.route ? `/${p.target.route}` : '')],
  }[kind];
  const headers = { services: ['Protocol', 'Port', 'Versions'], routes: ['Service', 'Backends'], policies: ['Kind', 'Target'] }[kind];
  return [
    session.can('editor') ? h('p', {}, h('a', { class: 'button', href: `#/meshes/${enc(mesh)}/${kind}/+new` }, `New ${KINDS[kind].singular}`)) : null,
    ...await pagedTable(`/v1/meshes/${enc(mesh)}/${kind}`, kind, `${kind} of ${mesh}`, ['Name', ...headers, 'Updated'], r => [
      h('a', { href: `#/meshes/${enc(mesh)}/${kind}/${enc(r.name)}` }, r.name), ...columns(r), when(r.updatedAt)]),
  ];
}

export { Problem };
