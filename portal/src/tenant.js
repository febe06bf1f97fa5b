import { h, field, select, table, when } from './dom.js';
import { call, get, enc } from './api.js';
import { failure } from './preview.js';
import { paged, pagedTable } from './paging.js';

/** The audit log: who changed what, with each change's before/after as a field-by-field diff. */
export async function auditPage() {
  const list = h('ol', { class: 'audit' });
  const add = events => list.append(...events.map(e => h('li', {},
    h('details', {}, h('summary', {}, h('time', { datetime: e.at }, when(e.at)), ' ', h('strong', {}, e.action), ' ',
      h('code', {}, e.resource), ' by ', e.actor), diff(e.before, e.after)))));
  const { items, more } = await paged('/v1/audit-events', 'events', add);
  add(items);
  return [h('h1', {}, 'Audit log'), list, more];
}

function flatten(value, prefix = '', out = new Map()) {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [`${prefix}[${i}]`, v]) : Object.entries(value).map(([k, v]) => [prefix ? `${prefix}.${k}` : k, v]);
    if (!entries.length) out.set(prefix, JSON.stringify(value));
    for (const [p, v] of entries) flatten(v, p, out);
  } else if (value !== undefined) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

function diff(before, after) {
  const a = flatten(before);
  const b = flatten(after);
  const rows = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(path) !== b.get(path)) rows.push([h('code', {}, path || '(document)'), a.get(path) ?? '—', b.get(path) ?? '—']);
  }
  return table('Changed fields', ['Field', 'Before', 'After'], rows);
}

/** A button that deletes through the API after a confirmation, then draws the page again. */
function deleteButton(session, report, text, label, path, question) {
  return h('button', { type: 'button', class: 'danger-outline', 'aria-label': label, onclick: async () => {
    if (!confirm(question)) return;
    try {
      await call('DELETE', path);
      session.rerender();
    } catch (e) {
      failure(report, null, e);
    }
  } }, text);
}

export async function apiKeysPage(session) {
  const created = h('div', { 'aria-live': 'polite' });
  const page = [h('h1', {}, 'API keys'), h('p', {}, 'For machines (Terraform, CI). A key is shown once, when it is made; Trellis keeps only its hash.'), created,
    ...await pagedTable('/v1/api-keys', 'keys', 'API keys', ['Id', 'Name', 'Role', 'Created by', 'Created', 'Revoked', ''], k => [h('code', {}, k.id), k.name, k.role, k.createdBy,
      when(k.createdAt), when(k.revokedAt),
      k.revokedAt ? '' : deleteButton(session, created, 'Revoke', `Revoke key ${k.name} (${k.id})`, `/v1/api-keys/${enc(k.id)}`,
        `Revoke ${k.name}? Anything using it stops working at once.`)])];
  const name = h('input', { autocomplete: 'off' });
  const role = select(['viewer', 'editor', 'admin', 'owner'], 'viewer');
  const form = h('form', {}, h('fieldset', {}, h('legend', {}, 'New API key'), field('Key name', name, { path: 'name' }), field('Role', role, { path: 'role' }),
    h('button', { type: 'submit', class: 'primary' }, 'Create key')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const { data } = await call('POST', '/v1/api-keys', { name: name.value.trim(), role: role.value });
      await session.rerender();
      document.getElementById('main').prepend(h('div', { class: 'once', role: 'alert' }, h('p', {}, `Key ${data.name} (${data.role}). Copy it now: it is not shown again.`),
        h('code', { class: 'secret', id: 'new-key' }, data.apiKey)));
    } catch (err) {
      failure(created, form, err);
    }
  });
  page.push(form);
  return page;
}

export async function membersPage(session) {
  const report = h('div', { 'aria-live': 'polite' });
  const page = [h('h1', {}, 'Members and roles'), h('p', {}, 'People are members by their OIDC subject. A subject listed here joins this tenant at its first sign-in.'), report,
    ...await pagedTable('/v1/members', 'members', 'Members', ['Subject', 'Role', 'Since', ''], m => [h('code', {}, m.subject), m.role, when(m.createdAt),
      session.can('admin') ? deleteButton(session, report, 'Remove', `Remove member ${m.subject}`, `/v1/members/${enc(m.subject)}`,
        `Remove ${m.subject} from this tenant?`) : ''])];
  if (session.can('admin')) {
    const subject = h('input', { autocomplete: 'off' });
    const role = select(['viewer', 'editor', 'admin', 'owner'], 'viewer');
    const form = h('form', {}, h('fieldset', {}, h('legend', {}, 'Add or change a member'), field('Subject', subject, { path: 'subject' }), field('Role', role, { path: 'role' }),
      h('button', { type: 'submit', class: 'primary' }, 'Save member')));
    form.addEventListener('submit', async e => {
      e.preventDefault();
      try {
        await call('PUT', `/v1/members/${enc(subject.value.trim())}`, { role: role.value });
        session.rerender();
      } catch (err) {
        failure(report, form, err);
      }
    });
    page.push(form);
  }
  return page;
}

function money(minor, plan) {
  if (minor == null) return '—';
  const exponent = plan?.currencyExponent ?? 2;
  return `${(minor / 10 ** exponent).toFixed(exponent)} ${plan?.currency ?? ''}`;
}

function limit(value) {
  return value == null ? 'unlimited' : String(value);
}

/** Plan, usage and invoices; an admin may move the tenant to another self-service plan (previewing is the price table). */
export async function billingPage(session) {
  const settled = await Promise.allSettled([get('/v1/billing/plan'), get('/v1/plans'), get('/v1/billing/usage'), get('/v1/billing/invoices')]);
  const [subscription, plans, usage, invoices] = settled.map(s => (s.status === 'fulfilled' ? s.value : null));
  const plan = subscription?.plan;
  const page = [h('h1', {}, 'Plan, usage and invoices')];
  if (subscription) {
    const current = subscription.current ?? {};
    page.push(h('h2', {}, `Plan: ${plan.name} (version ${plan.version})`),
      table('Limits in force and what the tenant has', ['Limited', 'Limit', 'In use'], ['meshes', 'services', 'connectedProxies'].map(k => [
        k, limit(subscription.limits?.[k]), current[k] ?? '—'])));
  }
  if (plans) {
    const items = plans.items ?? plans;
    page.push(h('h2', {}, 'Plans'), table('Self-service and enterprise plans', ['Plan', 'Base per month', 'Per endpoint-hour', 'Per million requests', 'Meshes', 'Services', 'Proxies'],
      items.map(p => [p.name, money(p.prices?.baseMinor, p), money(p.prices?.endpointHourMinor, p), money(p.prices?.millionRequestsMinor, p),
        limit(p.limits?.meshes), limit(p.limits?.services), limit(p.limits?.connectedProxies)])));
    if (session.can('admin')) {
      const report = h('div', { 'aria-live': 'polite' });
      const choices = items.filter(p => p.selfService).map(p => p.id);
      const choice = select([...new Set(choices)], plan?.id);
      const form = h('form', {}, h('fieldset', {}, h('legend', {}, 'Change plan'), field('Plan', choice, { path: 'plan' }),
        h('p', { class: 'hint' }, 'Takes effect now; the month is split and each part rated with its plan (docs/billing.md).'),
        h('button', { type: 'submit', class: 'primary' }, 'Move to this plan')), report);
      form.addEventListener('submit', async e => {
        e.preventDefault();
        try {
          await call('PUT', '/v1/billing/plan', { plan: choice.value });
          session.rerender();
        } catch (err) {
          failure(report, form, err);
        }
      });
      page.push(form);
    }
  }
  if (usage) {
    page.push(h('h2', {}, 'Usage this period'), table(`Usage from ${when(usage.from)} to ${when(usage.to)}`, ['Mesh', 'Proxy-seconds', 'Requests'],
      [...(usage.meshes ?? []).map(m => [m.mesh, m.proxySeconds, m.requests]), ['Total', usage.total?.proxySeconds, usage.total?.requests]]));
  }
  if (invoices) {
    page.push(h('h2', {}, 'Invoices'), table('Invoices', ['Invoice', 'Period', 'Status', 'Total'], (invoices.items ?? []).map(i => [
      h('code', {}, i.id), i.period, i.status, `${i.total} ${i.currency}`])));
  }
  if (!subscription && !usage) page.push(h('p', {}, 'Billing is not available to this role.'));
  return page;
}
