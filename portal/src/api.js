// Every read and write goes through the public REST API (/v1), authenticated by the session cookie;
// changes carry the session's CSRF token. The browser never holds an access token.
let csrf = null;

export function useCsrf(token) {
  csrf = token;
}

export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.violations = body?.violations ?? [];
  }
}

export async function call(method, path, body, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && csrf) init.headers[csrf.header] = csrf.token;
  const response = await fetch(path, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Problem(response.status, data);
  return { data, headers: response.headers, status: response.status };
}

export const get = async path => (await call('GET', path)).data;

export function enc(name) {
  return encodeURIComponent(name);
}
