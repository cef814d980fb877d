// The only way the UI talks to the server: /v1/... with the bearer token. The token lives in
// sessionStorage only (one tab, forgotten when it closes).
//
// Signed in through the organisation's identity provider, there is no token in the page: the
// server holds the session behind an HttpOnly cookie, and what is stored here is a marker with
// the session's CSRF token, which every request sends as X-CSRF-Token (writes need it).

const TOKEN_KEY = 'casetrail.token';
const SESSION_PREFIX = 'session:';
let pendingSignOut = Promise.resolve();

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = (problem && problem.code) || (status === 0 ? 'network' : 'http_' + status);
    this.problem = problem || {};
  }
}

export function token() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch (_) { return null; }
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function clearToken() {
  const tok = token();
  try { sessionStorage.removeItem(TOKEN_KEY); } catch (_) { /* ignore */ }
  // A provider session ends on the server (POST /auth/logout), not just in this tab.
  if (tok && tok.startsWith(SESSION_PREFIX)) {
    pendingSignOut = fetch('/auth/logout', {
      method: 'POST', credentials: 'same-origin', keepalive: true, cache: 'no-store',
      headers: { 'X-CSRF-Token': tok.slice(SESSION_PREFIX.length) },
    }).catch(() => {});
  }
}

// The "token" of a session held by the server: its CSRF token, marked as such.
export function sessionToken(csrf) { return SESSION_PREFIX + csrf; }

// What the server offers for signing in (GET /auth/config): {oidc, login, session}; after a
// sign-out still under way, once it has ended.
export async function authConfig() {
  await pendingSignOut;
  try {
    const res = await fetch('/auth/config', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    if (res.ok) return await res.json();
  } catch (_) { /* an older server: the token form only */ }
  return { oidc: false, login: null, session: null };
}

let onUnauthenticated = () => {};
export function setUnauthenticatedHandler(fn) { onUnauthenticated = fn; }

// A query string from an object; empty and null values are left out.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

async function send(method, path, { body, accept, tokenOverride, quiet } = {}) {
  const headers = { Accept: accept || 'application/json' };
  const tok = tokenOverride || token();
  if (tok && tok.startsWith(SESSION_PREFIX)) headers['X-CSRF-Token'] = tok.slice(SESSION_PREFIX.length);
  else if (tok) headers.Authorization = 'Bearer ' + tok;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, { code: 'network', detail: String(e) });
  }
  if (!res.ok) {
    let problem = null;
    try { problem = await res.json(); } catch (_) { /* not JSON */ }
    const err = new ApiError(res.status, problem);
    if (res.status === 401 && !quiet) onUnauthenticated(err);
    throw err;
  }
  return res;
}

export async function get(path, opts) {
  const res = await send('GET', path, opts);
  return res.json();
}

export async function post(path, body, opts) {
  const res = await send('POST', path, { ...(opts || {}), body: body === undefined ? {} : body });
  return res.json();
}

export async function patch(path, body, opts) {
  const res = await send('PATCH', path, { ...(opts || {}), body });
  return res.json();
}

// Fetches path with the given Accept header and saves the answer as a file via a Blob URL.
export async function download(path, accept, fallbackName) {
  const res = await send('GET', path, { accept });
  const blob = await res.blob();
  let name = fallbackName;
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename="?([^";]+)"?/i.exec(cd);
  if (m) name = m[1];
  name = name.replace(/[:\\/]/g, '_');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return { name, size: blob.size };
}

// What this token may see, found by asking the API (side-effect-free reads only): the UI never
// decides permissions itself, it shows what these probes and the later requests allow.
// The units come from the workflow model in force (GET /v1/workflows), never from a list here.
async function modelUnits(tokenOverride) {
  const w = await get('/v1/workflows', { tokenOverride, quiet: true });
  return ((w.model && w.model.units) || []).map((u) => u.id);
}

async function status(path, tokenOverride) {
  try {
    await send('GET', path, { tokenOverride, quiet: true });
    return 200;
  } catch (e) {
    if (e.status === 0) throw e;
    return e.status;
  }
}

export async function probe(tokenOverride) {
  const year = new Date().getFullYear();
  // Who we are comes from GET /v1/me; what we may open, from the probes below.
  let me;
  try {
    me = await get('/v1/me', { tokenOverride, quiet: true });
  } catch (e) {
    if (e.status === 401) throw new ApiError(401, { code: 'unauthenticated' });
    throw e;
  }
  const unitIds = await modelUnits(tokenOverride);
  const [cases, indicators, verify, reminders, ...lists] = await Promise.all([
    status('/v1/cases?limit=1', tokenOverride),
    status(`/v1/indicators?year=${year}`, tokenOverride),
    status('/v1/verify', tokenOverride),
    status('/v1/reminders?status=due', tokenOverride),
    // A month no list exists for: 404 means "may read, not generated", 403 means "may not".
    ...unitIds.map((u) => status(`/v1/lists/monthly?unit=${u}&month=1900-01`, tokenOverride)),
  ]);
  const listUnits = unitIds.filter((u, i) => lists[i] === 200 || lists[i] === 404);
  const caps = {
    cases: cases === 200,
    indicators: indicators === 200,
    verify: verify === 200,
    reminders: reminders === 200,
    listUnits,
    units: unitIds,
    id: me.id,
    role: me.role,
  };
  if (me.unit) caps.unit = me.unit;
  return caps;
}

