#!/usr/bin/env node
// Browser test of the web UI's sign-in through the organisation's identity provider (issue 17).
//
// Starts the test OIDC provider (tests/oidc/provider.mjs, npm oidc-provider) and
// `casetrail serve --demo` with --oidc-* flags on loopback, then, in Debian's Chromium driven by
// playwright-core, signs in through the provider's login page as an AF officer of Järva and as a
// SYV. Checks: the session cookie is HttpOnly, Secure (accepted on http://127.0.0.1) and
// SameSite=Strict and invisible to scripts; each user acts through the UI's own API layer (which
// sends the session's CSRF token; without it a write is refused); the events they cause carry
// the provider's acr, read back through the API; sign-out ends the session on the server, so the
// old cookie no longer works. Exits non-zero on any failure; screenshots go to artifacts/.
//
//   CASETRAIL_BIN   the binary (default /work/main/build/adapters/casetrail)
//   CHROMIUM        the browser (default /usr/bin/chromium)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OIDC = path.join(HERE, '..', 'oidc');
const BIN = process.env.CASETRAIL_BIN || '/work/main/build/adapters/casetrail';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ART = path.join(HERE, 'artifacts', 'oidc');
const { ACR, PASSWORD } = await import(path.join(OIDC, 'provider-constants.mjs'));
const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`, ...a);

// Starts `cmd args`, resolves with its stdout once `ready` matches it.
function launch(cmd, args, ready, what) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const err = [];
  child.stderr.on('data', (d) => { err.push(d.toString()); if (err.length > 200) err.shift(); });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 60 s\n${err.join('')}`)), 60000);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited early (${code})\n${err.join('')}`)); });
    child.stdout.on('data', (d) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, out });
      }
    });
  });
}

async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(t);
}

let provider, server, browser, base, compliance;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'casetrail-oidc-web-'));

async function api(method, p, { token = compliance, cookie, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  if (cookie) headers.Cookie = cookie;
  if (body) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + p, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
  return { status: res.status, json, text };
}

// Signs in through the provider in a fresh browser context; returns the page and its cookie.
async function signIn(user, role) {
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(base + '/');
  await page.locator('#signin-oidc').waitFor();
  // The provider's sign-in first, focused; the token form stays for service accounts.
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'signin-oidc');
  assert.ok(await page.locator('#token').isVisible());
  await page.screenshot({ path: path.join(ART, 'signin-page.png'), fullPage: true });
  await page.locator('#signin-oidc').click();
  await page.waitForURL((u) => u.href.startsWith(provider.issuer));
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#provider-login').click();
  await page.waitForURL((u) => u.href.startsWith(base));
  await page.locator(`#whoami[data-role="${role}"]`).waitFor();
  await page.screenshot({ path: path.join(ART, `${user}-signed-in.png`), fullPage: true });

  // All cookies: Playwright's URL filter leaves Secure cookies out for http URLs other than localhost.
  const cookies = (await context.cookies()).filter((c) => c.domain === new URL(base).hostname);
  const session = cookies.find((c) => c.name === 'casetrail_session');
  assert.ok(session, 'the session cookie was stored (Secure on http://127.0.0.1)');
  assert.equal(session.httpOnly, true);
  assert.equal(session.secure, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie.includes('casetrail_session')), false, 'scripts cannot read it');
  return { context, page, cookie: `casetrail_session=${session.value}`, problems };
}

// Calls the API from the page through the UI's own api.js (session cookie + CSRF header).
function uiPost(page, p, body) {
  return page.evaluate(async ([p2, b]) => {
    const api = await import('/api.js');
    try { return { ok: true, json: await api.post(p2, b) }; } catch (e) { return { ok: false, status: e.status, code: e.code }; }
  }, [p, body]);
}

async function run() {
  fs.mkdirSync(ART, { recursive: true });
  const p = await launch(process.execPath, [path.join(OIDC, 'provider.mjs')], /issuer (\S+)\n/, 'the provider');
  provider = p.child;
  provider.issuer = /issuer (\S+)\n/.exec(p.out)[1];
  log('provider at', provider.issuer);
  const secret = path.join(tmp, 'client-secret');
  fs.writeFileSync(secret, 'web-client-secret\n', { mode: 0o600 });
  const args = ['serve', '--demo', '--data', path.join(tmp, 'data'), '--listen', '127.0.0.1:0', '--demo-cases', '5',
    '--oidc-issuer', provider.issuer, '--oidc-audience', 'urn:casetrail:api', '--oidc-mapping', path.join(OIDC, 'mapping.json'),
    '--oidc-client-id', 'casetrail-web', '--oidc-client-secret-file', secret, '--oidc-scope', 'openid casetrail'];
  const s = await launch(BIN, args, /\ntry: /, 'casetrail');
  server = s.child;
  base = /casetrail is serving .* at (http:\/\/\S+)\n/.exec(s.out)[1].replace(/\/$/, '');
  compliance = /^\s+\S+\tcompliance\t(\S+)\s*$/m.exec(s.out)[1];
  log('casetrail at', base);

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });

  // The AF officer of Järva refers a new client: subject, consent and case, through the UI.
  const af = await signIn('af-jarva', 'af_officer');
  assert.equal(await af.page.locator('#whoami').getAttribute('data-unit'), 'jarva');
  const refused = await af.page.evaluate(async () => (await fetch('/v1/subjects', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status);
  assert.equal(refused, 403, 'a write with the cookie but without the CSRF header is refused');
  const subject = await uiPost(af.page, '/v1/subjects', { personal_number: '19121212-1212', name: 'Tolvan Tolvansson' });
  assert.ok(subject.ok, JSON.stringify(subject));
  const id = subject.json.subject_id;
  assert.ok((await uiPost(af.page, `/v1/subjects/${id}/consents`,
    { scopes: ['transfer_referral', 'share_guidance', 'share_study_progress'], method: 'signed_form' })).ok);
  const opened = await uiPost(af.page, '/v1/cases', { subject_id: id, unit: 'jarva', channel: 'space', long_term_unemployed: true,
    lacks_upper_secondary: true, resident_stockholm: true, rom_participant: true, need_assessed: true });
  assert.ok(opened.ok, JSON.stringify(opened));
  const caseId = opened.json.case_id;
  log('AF officer opened', caseId);

  // The SYV books the guidance conversation.
  const syv = await signIn('syv-1', 'syv');
  const slot = new Date(Date.now() + 14 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const booked = await uiPost(syv.page, `/v1/cases/${caseId}/commands`, { command: 'BookConversation', data: { slot } });
  assert.ok(booked.ok, JSON.stringify(booked));
  await syv.page.goto(`${base}/#/cases/${caseId}`);
  await syv.page.locator('li.event').first().waitFor();
  await syv.page.screenshot({ path: path.join(ART, 'syv-case.png'), fullPage: true });

  // The events, through the API: each carries its author and the provider's acr.
  const events = await api('GET', `/v1/cases/${caseId}/events`);
  assert.equal(events.status, 200, events.text);
  const list = events.json.events;
  assert.ok(list.length >= 2);
  for (const e of list) assert.equal(e.actor.acr, ACR, JSON.stringify(e.actor));
  assert.equal(list[0].actor.id, 'oidc:af-jarva');
  assert.equal(list.at(-1).actor.id, 'oidc:syv-1');
  assert.equal(list.at(-1).type, 'ConversationBooked');
  log('events carry acr', ACR);

  // Sign-out ends the session on the server: the old cookie no longer works.
  for (const who of [af, syv]) {
    assert.equal((await api('GET', '/v1/me', { token: null, cookie: who.cookie })).status, 200);
    await who.page.locator('#signout').click();
    await who.page.locator('#signin-oidc').waitFor();
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await api('GET', '/v1/me', { token: null, cookie: who.cookie })).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 401, 'the signed-out cookie still works');
    assert.deepEqual(who.problems, []);
    await who.context.close();
  }
  log('sign-out ended both sessions');
}

let failed = false;
try {
  await run();
  console.log('1 passed, 0 failed');
} catch (e) {
  failed = true;
  console.error(e);
  console.log('0 passed, 1 failed');
} finally {
  if (browser) await browser.close().catch(() => {});
  await stop(server);
  await stop(provider);
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
