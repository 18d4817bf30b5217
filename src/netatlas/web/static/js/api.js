// The public API with the user's own token: a login JWT kept in sessionStorage (gone with the tab),
// sent as `Authorization: Bearer` on every call. A 401 (or the token's expiry) ends the session and
// returns to the login form with a message; any other refusal becomes an ApiError carrying the
// API's own `message` (403 names the role needed, 409 the conflicting state, 422 the fields...).

const KEY = 'netatlas.session';
let expiredHandler = () => {};
let expiryTimer = null;

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export const session = {
  get() {
    try {
      const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
      return s && s.token && Date.now() < s.expiresAt ? s : null;
    } catch { return null; }
  },
  set(s) { sessionStorage.setItem(KEY, JSON.stringify(s)); schedule(s); },
  clear() { sessionStorage.removeItem(KEY); if (expiryTimer) clearTimeout(expiryTimer); expiryTimer = null; },
};

function schedule(s) {
  if (expiryTimer) clearTimeout(expiryTimer);
  const left = s.expiresAt - Date.now();
  if (left < 2 ** 31) expiryTimer = setTimeout(() => expire('Your session expired: log in again.'), Math.max(0, left));
}

export function onExpired(handler) {
  expiredHandler = handler;
  const s = session.get();
  if (s) schedule(s);
}

function expire(message) {
  session.clear();
  expiredHandler(message);
}

async function errorOf(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  let text = body && (body.message || (typeof body.detail === 'string' ? body.detail : null));
  if (!text) text = response.statusText || 'request failed';
  if (body && body.hint) text += ` (${body.hint})`;
  const retry = response.headers.get('Retry-After');
  if (response.status === 429 && retry) text += ` Retry in ${retry} s.`;
  return new ApiError(response.status, `${response.status}: ${text}`, body);
}

export async function login(username, password) {
  const response = await fetch('/api/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw await errorOf(response);
  const body = await response.json();
  const s = { token: body.access_token, role: body.role, username, expiresAt: Date.now() + body.expires_in * 1000 };
  session.set(s);
  return s;
}

export function logout() { session.clear(); }

function headers(extra = {}) {
  const s = session.get();
  if (!s) {
    expire('Your session expired: log in again.');
    throw new ApiError(401, 'Your session expired: log in again.');
  }
  return { Authorization: `Bearer ${s.token}`, ...extra };
}

// A JSON call (or the raw Response with `raw`); throws ApiError with the API's message.
export async function api(path, { method = 'GET', body, raw = false, signal } = {}) {
  const init = { method, headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }), signal };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  if (response.status === 401) {
    const error = await errorOf(response);
    expire(`Signed out: ${error.message}`);
    throw error;
  }
  if (!response.ok) throw await errorOf(response);
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Server-Sent Events over fetch(): EventSource cannot send the Authorization header the API needs.
// Calls onEvent(name, data) per message until the server closes the stream or `signal` aborts it.
export async function stream(path, onEvent, signal) {
  const response = await fetch(path, { headers: headers({ Accept: 'text/event-stream' }), signal });
  if (response.status === 401) { expire('Signed out: the server refused the token.'); throw await errorOf(response); }
  if (!response.ok) throw await errorOf(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) {
        let parsed;
        try { parsed = JSON.parse(data.join('\n')); } catch { parsed = data.join('\n'); }
        onEvent(event, parsed);
      }
    }
  }
}
