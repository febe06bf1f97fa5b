// Lists the API pages (`?limit=&cursor=`, answered with `nextCursor`): the portal shows the first page
// and a "Show more" button that appends the next one, until the API says there is no more.
import { h, put, rowElement, table } from './dom.js';
import { get } from './api.js';

export const PAGE_SIZE = 50;

function withQuery(path, query) {
  return path + (path.includes('?') ? '&' : '?') + query;
}

/**
 * The first page of `path`, and the control that fetches the following ones: `append(items)` adds
 * a page's items to the list on the page. `label` names what is listed ("meshes").
 */
export async function paged(path, label, append) {
  const first = await get(withQuery(path, `limit=${PAGE_SIZE}`));
  let cursor = first.nextCursor;
  let shown = first.items.length;
  const status = h('p', { class: 'hint', role: 'status' });
  const button = h('button', { type: 'button' }, `Show more ${label}`);
  const sync = () => {
    button.hidden = !cursor;
    put(status, cursor ? `Showing the first ${shown} ${label}.` : shown > PAGE_SIZE ? `All ${shown} ${label} are shown.` : null);
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const next = await get(withQuery(path, `limit=${PAGE_SIZE}&cursor=${encodeURIComponent(cursor)}`));
      append(next.items);
      shown += next.items.length;
      cursor = next.nextCursor;
      sync();
    } catch (e) {
      put(status, h('span', { class: 'error' }, `Could not load more ${label}: ${e.message}`));
    } finally {
      button.disabled = false;
    }
  });
  sync();
  return { items: first.items, more: h('div', { class: 'more' }, status, button) };
}

/** A table of every page of `path`, the first one at once and the others on request. */
export async function pagedTable(path, label, caption, headers, rowOf) {
  let body;
  const { items, more } = await paged(path, label, next => body.append(...next.map(item => rowElement(rowOf(item)))));
  const element = table(caption, headers, items.map(rowOf));
  body = element.tBodies[0];
  return [element, more];
}

/** Every item of `path`, following the cursors (for pickers that need every name). */
export async function all(path) {
  const items = [];
  let cursor = null;
  do {
    const page = await get(withQuery(path, `limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
