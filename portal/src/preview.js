import { h, announce, put } from './dom.js';
import { call, Problem } from './api.js';

/** Analysis warnings grouped by code, each group with its count and the resources it names. */
export function warningGroups(warnings) {
  if (!warnings?.length) return h('p', { class: 'ok' }, 'No analysis warnings.');
  const groups = new Map();
  for (const w of warnings) groups.set(w.code, [...(groups.get(w.code) ?? []), w]);
  return h('div', { class: 'warnings' }, [...groups].map(([code, list]) =>
    h('details', { class: 'warning-group', open: true },
      h('summary', {}, h('strong', {}, code), ` (${list.length})`),
      h('ul', {}, list.map(w => h('li', {}, w.message, w.resources?.length ? h('span', { class: 'muted' }, ` — ${w.resources.join(', ')}`) : null))))));
}

/** The dry run's diff: which services' proxy snapshots change, from which version to which, and how. */
export function changeList(changes) {
  if (!changes?.length) return h('p', {}, 'No proxy snapshot changes.');
  return h('ul', { class: 'changes' }, changes.map(c => h('li', {},
    h('strong', {}, c.service), ` ${c.kind.toLowerCase()} `,
    h('code', {}, short(c.fromVersion)), ' → ', h('code', {}, short(c.toVersion)),
    c.details?.length ? h('ul', {}, c.details.map(d => h('li', { class: 'detail' }, d))) : null)));
}

function short(version) {
  return version ? version.replace(/^sha256:/, '').slice(0, 12) : '—';
}

/** Shows each violation next to the field whose data-path it names; the rest in the form's summary. */
export function showViolations(form, violations) {
  for (const el of form.querySelectorAll('[data-error-for]')) { el.hidden = true; el.textContent = ''; }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const rest = [];
  for (const v of violations) {
    const target = v.resource ? null : nearest(form, v.field ?? '');
    const error = target && form.querySelector(`[data-error-for="${CSS.escape(target.dataset.path)}"]`);
    if (error) {
      error.hidden = false;
      error.textContent = (error.textContent ? error.textContent + ' ' : '') + (target.dataset.path === v.field ? v.message : `${v.field}: ${v.message}`);
      target.setAttribute('aria-invalid', 'true');
    } else {
      rest.push(v);
    }
  }
  return rest;
}

/** The field of that path, else the closest field holding it (a JSON area for its subtree). */
function nearest(form, path) {
  const fields = [...form.querySelectorAll('[data-path]')];
  let best = null;
  for (const f of fields) {
    const p = f.dataset.path;
    if (p === path) return f;
    if ((p === '' || path.startsWith(p + '.') || path.startsWith(p + '[')) && (!best || p.length > best.dataset.path.length)) best = f;
  }
  return best;
}

/**
 * The change workflow every write of the portal follows: preview (the same request with
 * ?dryRun=true), read the diff and warnings, then apply the very document that was previewed.
 */
export function changePanel({ form, method, path, documentOf, ifMatch, onApplied, applyLabel = 'Apply' }) {
  const urlOf = typeof path === 'function' ? path : () => path;
  const report = h('div', { class: 'report', 'aria-live': 'polite' });
  const apply = h('button', { type: 'button', class: 'primary', disabled: true }, applyLabel);
  let previewed = null;
  // Each edit and each preview bumps this: a preview answered after a later edit is dropped.
  let seq = 0;
  const preview = h('button', { type: 'button', onclick: () => run() }, 'Preview changes');
  const run = async () => {
    const mine = ++seq;
    apply.disabled = true;
    announce('');
    previewed = null;
    let document;
    try {
      document = documentOf();
    } catch (e) {
      put(report, h('p', { class: 'error', role: 'alert' }, e.message));
      return;
    }
    try {
      const url = urlOf();
      const { data } = await call(method, `${url}${url.includes('?') ? '&' : '?'}dryRun=true`, document, ifMatch?.() ? { 'If-Match': ifMatch() } : {});
      if (mine !== seq) return;
      const rest = showViolations(form, data.violations ?? []);
      put(report,
        h('h3', {}, data.valid ? 'Preview: what this change does' : 'Preview: this change is refused'),
        rest.length ? h('ul', { class: 'error' }, rest.map(v => h('li', {}, v.resource ? `${v.resource} ` : '', v.field ? `${v.field}: ` : '', v.message))) : null,
        data.valid ? changeList(data.changes) : null,
        h('h4', {}, 'Analysis warnings'), warningGroups(data.warnings));
      if (data.valid) {
        previewed = document;
        apply.disabled = false;
      }
    } catch (e) {
      failure(report, form, e);
    }
  };
  apply.addEventListener('click', async () => {
    if (!previewed) return;
    apply.disabled = true;
    try {
      const answer = await call(method, urlOf(), previewed, ifMatch?.() ? { 'If-Match': ifMatch() } : {});
      put(report);
      announce(`Applied. ${method} ${urlOf()} answered ${answer.status}.`);
      onApplied?.(answer.data);
    } catch (e) {
      failure(report, form, e);
    }
  });
  // Any edit after a preview needs a new preview before it can be applied.
  form.addEventListener('input', () => { seq++; apply.disabled = true; previewed = null; });
  return { element: h('div', { class: 'actions' }, preview, apply, report), run };
}

export function failure(report, form, e) {
  if (e instanceof Problem) {
    const rest = form ? showViolations(form, e.violations) : e.violations;
    put(report, h('div', { class: 'error', role: 'alert' }, h('p', {}, `${e.body?.title ?? 'Refused'}: ${e.message}`),
      rest.length ? h('ul', {}, rest.map(v => h('li', {}, `${v.field}: ${v.message}`))) : null));
  } else {
    put(report, h('p', { class: 'error', role: 'alert' }, String(e.message ?? e)));
  }
}
