// A small DOM builder: text is always set as text (never parsed as HTML), so API data cannot inject markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

/** Replaces an element's children; null, undefined and false children are left out (DOM's replaceChildren would print them). */
export function put(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let ids = 0;
/** A labelled form field; `path` is the JSON path the API names in a violation of this field. */
export function field(label, control, { path, hint } = {}) {
  control.id ||= `f${++ids}`;
  const error = h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true });
  if (path !== undefined) {
    control.dataset.path = path;
    error.dataset.errorFor = path;
  }
  control.setAttribute('aria-describedby', error.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control,
    hint ? h('p', { class: 'hint' }, hint) : null, error);
}

export function select(options, value, attrs = {}) {
  return h('select', attrs, options.map(o => h('option', { value: o, selected: o === value }, o)));
}

export function table(caption, headers, rows) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map(t => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.length ? rows.map(rowElement)
      : h('tr', {}, h('td', { colspan: headers.length }, 'None yet.'))));
}

export function rowElement(cells) {
  return h('tr', {}, cells.map(c => h('td', {}, c)));
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function pretty(value) {
  return h('pre', { class: 'json', tabindex: 0 }, JSON.stringify(value, null, 2));
}

export function section(title, ...children) {
  return h('section', { 'aria-label': title }, h('h2', {}, title), ...children);
}

/** A message that outlives the page it came from (an applied change that navigates), read out by screen readers. */
export function announce(text) {
  const status = document.getElementById('status');
  if (status) put(status, h('p', { class: 'ok' }, text));
}
