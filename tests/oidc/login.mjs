#!/usr/bin/env node
// Signs in at the test provider (provider.mjs) the way a browser would, without one: follows
// the redirects, keeps each host's cookies, fills the provider's login form.
//
//   node login.mjs token PROVIDER_URL USER [CLIENT] [RESOURCE]
//       authorization code + PKCE as a public CLI client (default casetrail-cli) for RESOURCE
//       (default urn:casetrail:api); prints the token answer as JSON (access_token, id_token …)
//   node login.mjs session CASETRAIL_URL USER
//       signs in to casetrail's web UI (GET /auth/login … /auth/callback); prints JSON
//       {"landed": URL, "cookie": "casetrail_session=…", "set_cookie": "<the Set-Cookie header>",
//        "csrf_token": "…", "config": {…}}
import http from 'node:http';
import crypto from 'node:crypto';
import { PASSWORD } from './provider-constants.mjs';

const jar = new Map(); // host → Map(name → value)
const setCookies = []; // every Set-Cookie header seen, as sent

function request(method, url, { body, headers = {} } = {}) {
  const u = new URL(url);
  const cookies = jar.get(u.host);
  const h = { ...headers };
  if (cookies && cookies.size) h.Cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (body !== undefined) h['Content-Type'] = 'application/x-www-form-urlencoded';
  return new Promise((resolve, reject) => {
    const req = http.request(u, { method, headers: h }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => {
        for (const c of res.headers['set-cookie'] || []) {
          setCookies.push(c);
          const [pair, ...attrs] = c.split(';');
          const eq = pair.indexOf('=');
          const name = pair.slice(0, eq).trim();
          const value = pair.slice(eq + 1).trim();
          if (!jar.has(u.host)) jar.set(u.host, new Map());
          const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
          if (expired) jar.get(u.host).delete(name);
          else jar.get(u.host).set(name, value);
        }
        resolve({ status: res.statusCode, headers: res.headers, body: data });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// Follows redirects from `url` until one leaves for `stopAt` (returned unfollowed) or a page
// answers; on the provider's login form, signs in as `user`.
async function browse(url, user, stopAt) {
  for (let i = 0; i < 20; i++) {
    if (stopAt && url.startsWith(stopAt)) return url;
    const res = await request('GET', url);
    if (process.env.TRACE) process.stderr.write(`${res.status} ${url} -> ${res.headers.location || ""}\n`);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.location, url).href;
      continue;
    }
    const form = /action="([^"]*\/interaction\/[^"]*\/login)"/.exec(res.body);
    if (res.status === 200 && form) {
      const posted = await request('POST', new URL(form[1], url).href, {
        body: new URLSearchParams({ username: user, password: PASSWORD }).toString(),
      });
      if (posted.status < 300 || posted.status >= 400) throw new Error(`login as ${user} failed: ${posted.status}`);
      url = new URL(posted.headers.location, url).href;
      continue;
    }
    return { status: res.status, body: res.body, url };
  }
  throw new Error('too many redirects');
}

const b64url = (buf) => buf.toString('base64url');

async function token(base, user, client = 'casetrail-cli', resource = 'urn:casetrail:api') {
  const discovery = JSON.parse((await request('GET', `${base}/.well-known/openid-configuration`)).body);
  // At the provider that answered (an impostor claims another issuer, whose URL it does not hold).
  const here = (u) => new URL(new URL(u).pathname, base).href;
  discovery.authorization_endpoint = here(discovery.authorization_endpoint);
  discovery.token_endpoint = here(discovery.token_endpoint);
  const verifier = b64url(crypto.randomBytes(32));
  const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
  const redirect = 'http://127.0.0.1/cb';
  const q = new URLSearchParams({
    client_id: client, response_type: 'code', scope: 'openid casetrail', redirect_uri: redirect,
    code_challenge: challenge, code_challenge_method: 'S256', state: b64url(crypto.randomBytes(8)),
    nonce: b64url(crypto.randomBytes(8)), resource,
  });
  const back = await browse(`${discovery.authorization_endpoint}?${q}`, user, redirect);
  if (typeof back !== 'string') throw new Error(`no code: ${back.status} ${back.body}`);
  const code = new URL(back).searchParams.get('code');
  const res = await request('POST', discovery.token_endpoint, {
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier, client_id: client, resource }).toString(),
  });
  if (res.status !== 200) throw new Error(`token endpoint: ${res.status} ${res.body}`);
  return JSON.parse(res.body);
}

async function session(base, user) {
  const end = await browse(`${base}/auth/login`, user, `${base}/#`);
  const landed = typeof end === 'string' ? end : end.url;
  const cookies = jar.get(new URL(base).host) || new Map();
  const value = cookies.get('casetrail_session');
  const config = JSON.parse((await request('GET', `${base}/auth/config`)).body);
  const sent = setCookies.filter((c) => c.startsWith('casetrail_session='));
  return { landed, cookie: value ? `casetrail_session=${value}` : '', set_cookie: sent[0] || '', csrf_token: config.session?.csrf_token || '', config };
}

const [mode, ...rest] = process.argv.slice(2);
try {
  const out = mode === 'token' ? await token(...rest) : await session(...rest);
  process.stdout.write(JSON.stringify(out) + '\n');
} catch (e) {
  process.stderr.write(`login.mjs: ${e.message}\n`);
  process.exit(1);
}
