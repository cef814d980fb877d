#!/usr/bin/env node
// Browser tests of the casetrail web UI.
//
// Starts `casetrail serve --demo` on a fresh data directory, drives Debian's Chromium headless
// through playwright-core against it, and checks the scenarios of the web UI issue. Screenshots
// and downloads go to tests/web/artifacts/. Exits non-zero when any scenario fails.
//
//   CASETRAIL_BIN        the binary (default /work/main/build/adapters/casetrail)
//   CASETRAIL_WEB_ROOT   serve the UI from this directory (serve --web-root) instead of the
//                        files embedded in the binary
//   CHROMIUM             the browser (default /usr/bin/chromium)
//   ONLY                 comma-separated scenario names to run (default: all)
//   HEADED=1             show the browser

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.env.CASETRAIL_BIN || '/work/main/build/adapters/casetrail';
const WEB_ROOT = process.env.CASETRAIL_WEB_ROOT || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ART = path.join(HERE, 'artifacts');
const ONLY = (process.env.ONLY || '').split(',').filter(Boolean);
const VIEWPORT = { width: 1366, height: 768 }; // a laptop screen
const TIMEOUT = 15000;

const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`, ...a);

// ---------------------------------------------------------------------------------------------
// The server

let server = null;
let dataDir = null;

async function startServer() {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'casetrail-web-'));
  const args = ['serve', '--demo', '--data', path.join(dataDir, 'data'), '--listen', '127.0.0.1:0', '--demo-cases', '40'];
  if (WEB_ROOT) args.push('--web-root', WEB_ROOT);
  log('starting', BIN, args.join(' '));
  server = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  server.stderr.on('data', (d) => { stderr.push(d.toString()); if (stderr.length > 400) stderr.shift(); });
  fs.writeFileSync(path.join(ART, 'server-args.txt'), args.join(' ') + '\n');
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the server did not print its URL and tokens within 120 s\n' + stderr.join(''))), 120000);
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited early (${code})\n${stderr.join('')}`));
    });
    server.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${BIN}: ${e.message}`));
    });
    server.stdout.on('data', (d) => {
      out += d.toString();
      const m = /casetrail is serving .* at (http:\/\/[^\s]+)\n/.exec(out);
      const users = {};
      for (const line of out.split('\n')) {
        const u = /^\s+(\S+)\t([a-z_]+)(?:\/([a-z]+))?\t([A-Za-z0-9_-]+)\s*$/.exec(line);
        if (u) users[u[1]] = { id: u[1], role: u[2], unit: u[3] || null, token: u[4] };
      }
      if (m && (/\ntry: /.test(out) || Object.keys(users).length >= 8)) {
        clearTimeout(timer);
        server.removeAllListeners('exit');
        server.on('exit', (code, sig) => log(`server exited (${code ?? sig})`));
        const fixture = /DOMAIN §7 fixture case: (C-[0-9a-f]+)/.exec(out);
        resolve({ base: m[1].replace(/\/$/, ''), users, fixture: fixture ? fixture[1] : null });
      }
    });
  });
}

async function stopServer() {
  if (!server || !server.pid || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const t = setTimeout(() => { try { server.kill('SIGKILL'); } catch (_) { /* gone */ } }, 8000);
  await exited;
  clearTimeout(t);
}

// ---------------------------------------------------------------------------------------------
// Helpers

let BASE = '';
let USERS = {};
let FIXTURE_CASE = null;  // the DOMAIN §7 fixture case of the demo data
const results = [];
let shot = 0;

async function api(userId, method, p, body) {
  const res = await fetch(BASE + p, {
    method,
    headers: { Authorization: 'Bearer ' + USERS[userId].token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
  return { status: res.status, json, text };
}

async function apiOk(userId, method, p, body) {
  const r = await api(userId, method, p, body);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p} as ${userId}: ${r.status} ${r.text}`);
  return r.json;
}

async function screenshot(page, name) {
  shot += 1;
  const file = path.join(ART, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// A fresh browser context per user, with checks that nothing leaves the server's origin, that
// the Content-Security-Policy is never violated and that no script error happens.
async function openPage(browser, opts = {}) {
  const context = await browser.newContext({
    viewport: VIEWPORT, locale: 'sv-SE', timezoneId: 'Europe/Stockholm', acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const problems = [];
  const responses = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|404|409|410|422)/.test(text)) {
      problems.push('console error: ' + text);
    }
    if (/Content Security Policy|Refused to/i.test(text)) problems.push('CSP: ' + text);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(BASE + '/') && !u.startsWith('blob:') && !u.startsWith('data:')) problems.push('request outside the server: ' + u);
  });
  if (opts.recordResponses) {
    page.on('response', async (r) => {
      if (!r.url().startsWith(BASE + '/v1/')) return;
      try { responses.push({ url: r.url(), status: r.status(), body: await r.text() }); } catch (_) { /* body gone */ }
    });
  }
  page.checkProblems = () => assert.deepEqual(problems, [], 'browser problems');
  page.apiResponses = responses;
  return { context, page };
}

async function signIn(page, userId) {
  await page.goto(BASE + '/');
  await page.waitForSelector('#signin-form');
  await page.fill('#token', USERS[userId].token);
  await page.click('#signin-submit');
  await page.waitForSelector('#whoami');
}

async function ready(page, selector) {
  await page.waitForSelector(selector);
  await page.waitForFunction(() => document.getElementById('main').getAttribute('aria-busy') === 'false');
}

// Does what triggers a navigation inside the app, then waits until the router has rendered the
// new view (body[data-ready] changes and main is no longer busy) and selector is there.
async function viaApp(page, action, selector) {
  const before = await page.evaluate(() => document.body.dataset.ready || '');
  await action();
  await page.waitForFunction((b) => document.body.dataset.ready && document.body.dataset.ready !== b
    && document.getElementById('main').getAttribute('aria-busy') === 'false', before);
  if (selector) await page.waitForSelector(selector);
}

// Every visible input, select and button has an accessible name.
async function assertLabelled(page, where) {
  const unlabelled = await page.$$eval('input, select, textarea, button', (els) => els
    .filter((e) => e.type !== 'hidden' && e.offsetParent !== null)
    .filter((e) => {
      if (e.tagName === 'BUTTON') return !(e.textContent.trim() || e.getAttribute('aria-label'));
      return !((e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'));
    })
    .map((e) => e.outerHTML.slice(0, 120)));
  assert.deepEqual(unlabelled, [], `unlabelled controls on ${where}`);
}

async function navIds(page) {
  return page.$$eval('header nav a', (as) => as.map((a) => a.id.replace(/^nav-/, '')));
}

function stockholmLocal(iso) {
  // "YYYY-MM-DDTHH:MM" in Stockholm time, as a datetime-local input takes it.
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const g = (t) => parts.find((p) => p.type === t).value;
  return `${g('year')}-${g('month')}-${g('day')}T${g('hour')}:${g('minute')}`;
}

function stockholmDate(iso) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

const PNR_RE = /\b(19|20)\d{6}[-+]?\d{4}\b/;

async function allCases(userId) {
  const out = [];
  let tokenParam = '';
  for (;;) {
    const r = await apiOk(userId, 'GET', '/v1/cases?limit=500' + tokenParam);
    out.push(...r.cases);
    if (!r.next_page_token) return out;
    tokenParam = '&page_token=' + encodeURIComponent(r.next_page_token);
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const scenarios = [];
const scenario = (name, fn) => scenarios.push({ name, fn });

scenario('static', async () => {
  const res = await fetch(BASE + '/');
  assert.equal(res.status, 200, 'GET / answers 200');
  assert.match(res.headers.get('content-type') || '', /text\/html/);
  assert.match(res.headers.get('content-security-policy') || '', /default-src 'self'/, 'CSP header on /');
  const html = await res.text();
  assert.match(html, /<script type="module" src="app.js">/);
  assert.doesNotMatch(html, /https?:\/\//, 'index.html names no other origin');
  for (const f of ['app.js', 'api.js', 'i18n.js', 'style.css', 'views/case.js']) {
    const r = await fetch(BASE + '/' + f);
    assert.equal(r.status, 200, f);
    const body = await r.text();
    assert.doesNotMatch(body, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, `${f} fetches nothing from elsewhere`);
  }
});

scenario('sign-in-each-role', async (browser) => {
  const expected = {
    'A-J1': { role: 'af_officer', unit: 'jarva', nav: ['start', 'cases', 'person', 'meeting', 'lists'] },
    'A-G1': { role: 'af_officer', unit: 'globen', nav: ['start', 'cases', 'person', 'meeting', 'lists'] },
    'A-C1': { role: 'af_officer', unit: 'city', nav: ['start', 'cases', 'person', 'meeting', 'lists'] },
    'V-1': { role: 'syv', unit: '', nav: ['start', 'cases', 'person', 'meeting', 'lists'] },
    'C-1': { role: 'compliance', unit: '', nav: ['cases', 'audit', 'lists', 'indicators', 'reminders'] },
    'G-1': { role: 'strategic', unit: '', nav: ['indicators'] },
    'W-1': { role: 'worker', unit: '', nav: ['reminders'] },
    'ADM-1': { role: 'admin', unit: '', nav: ['audit', 'reminders'] },
  };
  for (const [id, exp] of Object.entries(expected)) {
    assert.equal(USERS[id].role, exp.role, `demo user ${id}`);
    const { context, page } = await openPage(browser);
    try {
      await page.goto(BASE + '/');
      await page.waitForSelector('#signin-form');
      assert.equal(await page.getAttribute('html', 'lang'), 'sv', 'Swedish by default');
      assert.equal((await page.textContent('h1')).trim(), 'Logga in');
      await assertLabelled(page, 'sign-in');
      await signIn(page, id);
      await ready(page, 'main h1');
      const who = await page.$eval('#whoami', (e) => ({ role: e.dataset.role, unit: e.dataset.unit }));
      assert.deepEqual(who, { role: exp.role, unit: exp.unit }, `role shown for ${id}`);
      assert.deepEqual(await navIds(page), exp.nav, `navigation for ${id}`);
      const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('casetrail.token'), local: JSON.stringify(localStorage) }));
      assert.equal(stored.session, USERS[id].token, 'token in sessionStorage');
      assert.ok(!stored.local.includes(USERS[id].token), 'token not in localStorage');
      if (!exp.nav.length) assert.match(await page.textContent('main'), /inga vyer/);
      await screenshot(page, `signed-in-${id}`);
      page.checkProblems();
    } finally {
      await context.close();
    }
  }

  // A wrong token is refused; sign out forgets the token.
  const { context, page } = await openPage(browser);
  try {
    await page.goto(BASE + '/');
    await page.fill('#token', '00000000000000000000000000000000');
    await page.click('#signin-submit');
    await page.waitForSelector('.notice-error');
    assert.match(await page.textContent('.notice-error'), /Okänd token/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('casetrail.token')), null);
    await screenshot(page, 'signin-refused');

    // Keyboard only: type the token, Enter, then Shift+Tab from the page heading (where focus
    // lands) back to "Listor" in the menu, and Enter.
    await page.focus('#token');
    await page.fill('#token', '');
    await page.keyboard.type(USERS['V-1'].token);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#whoami');
    // The first view (cases) finishes and moves focus to its heading before we start tabbing:
    // tabbing while it still loads can lose the focus to that late move.
    await ready(page, '#start-mine');
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Shift+Tab');
      reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'nav-lists');
    }
    assert.ok(reached, 'the Lists link is reachable with the keyboard');
    await viaApp(page, () => page.keyboard.press('Enter'), '#list-form');
    assert.ok((await page.evaluate(() => location.hash)).startsWith('#/lists'));
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1', 'focus moves to the heading');

    // English switch.
    await viaApp(page, () => page.click('#lang-switch'), '#list-form');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal((await page.textContent('#nav-cases')).trim(), 'Cases');
    assert.equal((await page.textContent('main h1')).trim(), 'Follow-up lists');
    await screenshot(page, 'english');
    await viaApp(page, () => page.click('#lang-switch'), '#list-form');
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');

    await page.click('#signout');
    await page.waitForSelector('#signin-form');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('casetrail.token')), null, 'sign-out forgets the token');

    // A token the server no longer knows (401 on any request) signs the user out.
    await signIn(page, 'V-1');
    await page.evaluate(() => sessionStorage.setItem('casetrail.token', 'ffffffffffffffffffffffffffffffff'));
    // (The SYV's first view is the start page: reloading it asks the API again.)
    await ready(page, '#start-mine');
    await page.reload();
    await page.waitForSelector('#signin-form .notice-warning');
    assert.match(await page.textContent('#signin-form'), /loggats ut/);
    page.checkProblems();
  } finally {
    await context.close();
  }
});

scenario('walk-a-case', async (browser) => {
  // A jarva case with a long history, found through the API.
  const cases = (await allCases('V-1')).filter((c) => c.unit === 'jarva');
  let chosen = null, events = null;
  for (const c of cases.sort((a, b) => b.version - a.version)) {
    const ev = (await apiOk('V-1', 'GET', `/v1/cases/${c.case_id}/events`)).events;
    if (ev.length >= 4) { chosen = c; events = ev; break; }
  }
  assert.ok(chosen, 'a jarva case with at least four events');
  const now = await apiOk('V-1', 'GET', `/v1/cases/${chosen.case_id}`);

  const { context, page } = await openPage(browser);
  try {
    await signIn(page, 'V-1');
    await ready(page, '#start-mine');
    await viaApp(page, () => page.click('#nav-cases'), '#case-filters');
    await assertLabelled(page, 'case list');
    await page.selectOption('#filter-unit', 'jarva');
    await page.selectOption('#filter-state', chosen.state);
    await viaApp(page, () => page.click('#filter-apply'), '#case-results table');
    assert.ok((await page.evaluate(() => location.hash)).includes('state=' + chosen.state));
    const rows = await page.$$eval('#case-results tbody tr', (trs) => trs.map((tr) => ({
      id: tr.querySelector('a').textContent, unit: tr.children[1].textContent, state: tr.querySelector('[data-state]').dataset.state,
    })));
    const expectedIds = cases.filter((c) => c.state === chosen.state).map((c) => c.case_id).sort();
    assert.deepEqual(rows.map((r) => r.id).sort(), expectedIds, 'the filtered list is what the API lists');
    assert.ok(rows.every((r) => r.unit === 'Järva' && r.state === chosen.state), 'every row matches the filter');
    await screenshot(page, 'case-list-filtered');

    await viaApp(page, () => page.click(`a.case-link:text-is("${chosen.case_id}")`), '#timeline');
    await assertLabelled(page, 'case page');
    assert.equal(await page.getAttribute('#case-state', 'data-state'), now.state);
    assert.equal(await page.getAttribute('#case-revision', 'data-revision'), now.revision);
    assert.match((await page.textContent('#case-revision')).trim(), /^Studieanvisning, regelverk \d+$/, 'the revision in words');
    // The state diagram of the case's revision, with the current state marked.
    assert.equal(await page.getAttribute('svg.state-diagram', 'data-revision'), now.revision);
    const wf = (await apiOk('V-1', 'GET', '/v1/workflows')).workflows.find((w) => w.revision === now.revision);
    const drawn = await page.$$eval('svg.state-diagram g.state', (gs) => gs.map((g) => g.dataset.state));
    assert.deepEqual(drawn.sort(), [...wf.states].sort(), 'every state of the revision is drawn');
    const current = await page.$$eval('svg.state-diagram g.state.current', (gs) => gs.map((g) => g.dataset.state));
    assert.deepEqual(current, [now.state], 'exactly the current state is marked');
    assert.ok(await page.$$eval('svg.state-diagram g.edge', (e) => e.length) >= 10, 'transitions are drawn');
    // The timeline: every event with actor, role, revision and both times.
    const items = await page.$$eval('#timeline li.event', (lis) => lis.map((li) => ({
      type: li.dataset.type, version: Number(li.dataset.version),
      actor: li.querySelector('.actor-id').textContent, role: li.querySelector('.actor-role').textContent,
      revision: li.querySelector('.event-revision').dataset.revision,
      recorded: li.querySelector('.recorded-at time').getAttribute('datetime'),
      effective: li.querySelector('.effective-at time').getAttribute('datetime'),
    })));
    assert.equal(items.length, events.length, 'one timeline entry per event');
    events.forEach((e, i) => {
      assert.equal(items[i].type, e.type);
      assert.equal(items[i].version, e.version);
      assert.ok(items[i].actor.startsWith(e.actor.id), `actor of event ${i + 1}`);
      assert.ok(items[i].role.length > 0);
      assert.equal(items[i].revision, e.revision);
      assert.equal(items[i].recorded, e.recorded_at);
      assert.equal(items[i].effective, e.effective_at);
    });
    const roles = await page.$$eval('#timeline .actor-role', (els) => els.map((e) => e.textContent));
    assert.ok(roles.includes('Studie- och yrkesvägledare'), 'roles are shown in Swedish');
    await screenshot(page, 'case-now');
    await page.locator('svg.state-diagram').screenshot({ path: path.join(ART, 'state-diagram.png') });

    // Time travel: as recorded shortly after the third event.
    const k = 3;
    const at = new Date(new Date(events[k - 1].recorded_at).getTime() + 30 * 60000);
    at.setUTCSeconds(0, 0);
    const asOfIso = at.toISOString().replace(/\.000Z$/, 'Z');
    const then = await apiOk('V-1', 'GET', `/v1/cases/${chosen.case_id}?as_of=${encodeURIComponent(asOfIso)}`);
    await page.fill('#as-of', stockholmLocal(asOfIso));
    await viaApp(page, () => page.click('#timetravel-show'), '#timetravel-banner');
    assert.equal(await page.getAttribute('#case-state', 'data-state'), then.state, 'the state as of then');
    assert.equal((await page.textContent('#case-version')).trim(), String(then.version));
    assert.deepEqual(await page.$$eval('svg.state-diagram g.state.current', (gs) => gs.map((g) => g.dataset.state)), [then.state]);
    const included = await page.$$eval('#timeline li.event', (lis) => lis.map((li) => li.dataset.included === 'true'));
    assert.deepEqual(included, events.map((e) => new Date(e.recorded_at) <= at), 'later events are marked as not part of that time');
    assert.ok(included.includes(false), 'some events lie after that time');
    assert.notEqual(then.state, null);
    await screenshot(page, 'case-as-of');

    // valid_at: as in effect on the day of the second event, as known now.
    const validAt = stockholmDate(events[1].effective_at);
    const valid = await apiOk('V-1', 'GET', `/v1/cases/${chosen.case_id}?valid_at=${validAt}`);
    await viaApp(page, () => page.click('#timetravel-now'), '#timeline');
    assert.equal(await page.$('#timetravel-banner'), null, 'back to now');
    await page.fill('#valid-at', validAt);
    await viaApp(page, () => page.click('#timetravel-show'), '#timetravel-banner');
    assert.equal(await page.getAttribute('#case-state', 'data-state'), valid.state, 'the state in effect on that day');
    assert.equal((await page.textContent('#case-version')).trim(), String(valid.version));
    await screenshot(page, 'case-valid-at');
    page.checkProblems();
  } finally {
    await context.close();
  }
});

scenario('walk-the-fixture-case', async (browser) => {
  // DOMAIN §7: F01–F20 in the demo data. Its history, its close, and assertion 2 by time travel.
  assert.ok(FIXTURE_CASE, 'serve --demo names the fixture case');
  const { context, page } = await openPage(browser);
  try {
    await signIn(page, 'C-1');
    await viaApp(page, () => page.goto(`${BASE}/#/cases/${FIXTURE_CASE}`), '#timeline');
    assert.equal(await page.getAttribute('#case-state', 'data-state'), 'closed');
    assert.equal(await page.$$eval('#timeline li.event', (lis) => lis.length), 12, 'F02–F20 on the case stream');
    await screenshot(page, 'fixture-case');
    // Known as of 2025-09-01: part-time. True on 2025-09-01 as known now: full-time (since 2025-08-18).
    await viaApp(page, () => page.goto(`${BASE}/#/cases/${FIXTURE_CASE}?as_of=2025-09-01`), '#timetravel-banner');
    assert.equal(await page.getAttribute('#case-state', 'data-state'), 'studying');
    assert.equal((await page.textContent('#case-pace')).trim(), 'Deltid');
    await screenshot(page, 'fixture-as-of-2025-09-01');
    await viaApp(page, () => page.goto(`${BASE}/#/cases/${FIXTURE_CASE}?valid_at=2025-09-01`), '#timetravel-banner');
    assert.equal((await page.textContent('#case-pace')).trim(), 'Heltid');
    await screenshot(page, 'fixture-valid-at-2025-09-01');
    page.checkProblems();
  } finally {
    await context.close();
  }
});

scenario('af-redaction-after-consent-withdrawal', async (browser) => {
  // A jarva case where the counsellor (syv) has recorded study progress.
  // (studying first: only then has the case a pace, which is redacted too)
  const order = { studying: 0, aborted: 1, completed: 2 };
  const cases = (await allCases('A-J1')).filter((c) => c.state in order).sort((x, y) => order[x.state] - order[y.state]);
  let chosen = null, before = null;
  for (const c of cases) {
    const ev = (await apiOk('A-J1', 'GET', `/v1/cases/${c.case_id}/events`)).events;
    if (ev.some((e) => e.type === 'StudiesStarted' && e.actor.role === 'syv')) { chosen = c; before = ev; break; }
  }
  assert.ok(chosen, 'a jarva case with studies started by the counsellor');
  const caseNow = await apiOk('A-J1', 'GET', `/v1/cases/${chosen.case_id}`);
  assert.ok(before.every((e) => !(e.data && e.data.redacted)), 'nothing redacted before the withdrawal');

  const { context, page } = await openPage(browser);
  try {
    await signIn(page, 'A-J1');
    await page.goto(`${BASE}/#/cases/${chosen.case_id}`);
    await ready(page, '#timeline');
    assert.equal(await page.$$eval('#main [data-marker="redacted"]', (e) => e.length), 0, 'no redaction before');
    await screenshot(page, 'af-before-withdrawal');

    // The subject withdraws the sharing scopes (through the API, as the AF officer records it).
    await apiOk('A-J1', 'POST', `/v1/subjects/${caseNow.subject_id}/consents/withdraw`, { scopes: ['share_guidance', 'share_study_progress'] });
    const after = (await apiOk('A-J1', 'GET', `/v1/cases/${chosen.case_id}/events`)).events;
    const redactedTypes = after.filter((e) => e.data && e.data.redacted === true).map((e) => e.type);
    assert.ok(redactedTypes.includes('StudiesStarted'), 'the API redacts the counsellor-recorded events');

    await page.reload();
    await ready(page, '#timeline');
    const shown = await page.$$eval('#timeline li.event', (lis) => lis.map((li) => ({
      type: li.dataset.type, redacted: !!li.querySelector('.event-data [data-marker="redacted"]'),
      text: li.querySelector('.event-data').textContent,
    })));
    for (const [i, e] of after.entries()) {
      const isRed = !!(e.data && e.data.redacted === true);
      assert.equal(shown[i].redacted, isRed, `${e.type} shown ${isRed ? 'redacted' : 'in clear'}`);
      if (isRed) assert.match(shown[i].text, /Dold \(samtycke saknas\)/);
    }
    assert.ok(shown.some((s) => !s.redacted && s.type === 'ReferralSubmitted'), 'the AF-recorded referral stays visible');
    const caseAfter = await apiOk('A-J1', 'GET', `/v1/cases/${chosen.case_id}`);
    if (caseAfter.pace !== null) {
      assert.deepEqual(caseAfter.pace, { redacted: true });
      assert.match(await page.textContent('#case-pace'), /Dold \(samtycke saknas\)/, 'the pace is redacted');
    }
    assert.equal(await page.getAttribute('#subject', 'data-subject'), 'shown', 'the AF officer still sees the subject');
    await screenshot(page, 'af-after-withdrawal');

    await viaApp(page, () => page.click('#lang-switch'), '#timeline');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.textContent('#timeline'), /Redacted/);
    if (caseAfter.pace !== null) assert.match(await page.textContent('#case-pace'), /Redacted/);
    await screenshot(page, 'af-after-withdrawal-en');
    page.checkProblems();
  } finally {
    await context.close();
  }

  // Another unit's case does not exist for the AF officer (the API answers 404).
  const globenCase = (await allCases('C-1')).find((c) => c.unit === 'globen');
  const g = await openPage(browser);
  try {
    await signIn(g.page, 'A-J1');
    await g.page.goto(`${BASE}/#/cases/${globenCase.case_id}`);
    await g.page.waitForSelector('[data-error="not_found"]');
    assert.equal(await g.page.$('#subject'), null);
    g.page.checkProblems();
  } finally {
    await g.context.close();
  }

  // The counsellor, after a withdrawal of transfer_referral, sees the subject redacted.
  const other = (await allCases('V-1')).find((c) => ['referred', 'booked', 'unplanned', 'planned'].includes(c.state));
  const oc = await apiOk('V-1', 'GET', `/v1/cases/${other.case_id}`);
  await apiOk('V-1', 'POST', `/v1/subjects/${oc.subject_id}/consents/withdraw`, { scopes: ['transfer_referral'] });
  const o2 = await openPage(browser);
  try {
    await signIn(o2.page, 'V-1');
    await o2.page.goto(`${BASE}/#/cases/${other.case_id}`);
    await ready(o2.page, '#timeline');
    assert.equal(await o2.page.getAttribute('#subject', 'data-subject'), 'redacted');
    assert.match(await o2.page.textContent('#subject'), /Dold \(samtycke saknas\)/);
    assert.equal(await o2.page.getAttribute('#case-state', 'data-state'), 'closed');
    await screenshot(o2.page, 'syv-after-transfer-withdrawal');
    o2.page.checkProblems();
  } finally {
    await o2.context.close();
  }
});

scenario('strategic-sees-no-personal-data', async (browser) => {
  const someCase = (await allCases('C-1'))[0].case_id;
  // The demo population's histories run from 2025-01-08 into 2026 (a fake clock), so 2026 against
  // 2025 has data whatever today's date is.
  const year = 2026;
  const { context, page } = await openPage(browser, { recordResponses: true });
  try {
    await signIn(page, 'G-1');
    await ready(page, '#indicators figure');
    if (await page.inputValue('#ind-year') !== String(year)) {
      await page.selectOption('#ind-year', String(year));
      await viaApp(page, () => page.click('#ind-show'), '#indicators figure');
    }
    assert.match(await page.textContent('#indicators'), new RegExp(`${year} jämfört med ${year - 1}`));
    await assertLabelled(page, 'indicators');
    const texts = [];
    texts.push(await page.textContent('main'));
    // The dashboard: charts per indicator, I2's 50 % target line, suppressed cells marked.
    const charts = await page.$$eval('svg.chart', (s) => s.map((x) => x.dataset.chart));
    for (const id of ['i1a', 'i1b', 'i2', 'i3', 'i4-total', 'i4-jarva', 'i4-globen', 'i4-city']) assert.ok(charts.includes(id), `chart ${id}`);
    assert.equal(await page.getAttribute('svg.chart[data-chart="i2"] g.target', 'data-target'), '0.5');
    assert.match(await page.textContent('svg.chart[data-chart="i2"] g.target'), /Mål 50\s?%/);
    const reports = {};
    for (const u of ['jarva', 'globen', 'city', 'total']) {
      reports[u] = await apiOk('G-1', 'GET', `/v1/indicators?year=${year}` + (u === 'total' ? '' : `&unit=${u}`));
    }
    const total = Object.values(reports).reduce((n, r) => n + r.suppressed.length, 0);
    assert.ok(total > 0, 'the demo data has suppressed cells for the strategic role');
    assert.equal(await page.getAttribute('#suppressed-summary', 'data-count'), String(total));
    // Each I1 cell: "Dold" exactly where the API suppressed it, the number otherwise.
    const labels = { jarva: 'Järva', globen: 'Globen', city: 'City', total: 'Totalt' };
    for (const [key, tableId] of [['referrals', 'i1a'], ['cases_booked', 'i1b']]) {
      const rows = await page.$$eval(`table[data-table="${tableId}"] tbody tr`, (trs) => trs.map((tr) => ({
        label: tr.querySelector('th').textContent,
        cells: [...tr.querySelectorAll('td')].map((td) => ({ text: td.textContent, suppressed: !!td.querySelector('[data-suppressed]') })),
      })));
      for (const [u, r] of Object.entries(reports)) {
        const row = rows.find((x) => x.label === labels[u]);
        assert.ok(row, `row ${u} in ${tableId}`);
        for (const [i, prev] of [[0, true], [1, false]]) {
          const name = (prev ? 'previous_year.' : '') + key;
          const sup = r.suppressed.includes(name);
          assert.equal(row.cells[i].suppressed, sup, `${tableId} ${u} ${name} suppressed`);
          const v = prev ? r.previous_year[key] : r[key];
          if (!sup) assert.equal(row.cells[i].text.replace(/\s/g, ''), String(v), `${tableId} ${u} ${name}`);
        }
      }
    }
    const svgSuppressed = await page.$$eval('svg.chart [data-suppressed="true"]', (e) => e.length);
    assert.ok(svgSuppressed > 0, 'suppressed cells are marked in the charts');
    await screenshot(page, 'strategic-indicators');

    // Every other view: refused, and nothing personal on screen.
    for (const hash of ['#/cases', `#/cases/${someCase}`, `#/audit/${someCase}`, '#/audit', '#/lists']) {
      await viaApp(page, () => page.evaluate((h) => { location.hash = h; }, hash));
      const text = await page.textContent('main');
      texts.push(text);
      if (hash !== '#/lists') assert.ok(await page.$('[data-error="forbidden"]'), `${hash} is refused`);
      else assert.match(text, /får inte läsa några listor/);
      assert.equal(await page.$('#subject'), null);
      assert.equal(await page.$('#timeline'), null);
      await screenshot(page, 'strategic-' + hash.replace(/[#/]+/g, '-').replace(/^-|-$/g, '').slice(0, 30));
    }
    for (const text of texts) {
      assert.doesNotMatch(text, PNR_RE, 'no personal identity number on screen');
      assert.doesNotMatch(text, /Demo (Anna|Ali|Sara|Erik|Leyla|Johan|Maria|Omar)/, 'no names on screen');
      assert.doesNotMatch(text, /S-[0-9a-f]{12}/, 'no subject ids on screen');
      assert.doesNotMatch(text, /\+467\d{7,}/, 'no phone numbers on screen');
    }
    assert.ok(page.apiResponses.length >= 8, 'responses were recorded');
    for (const r of page.apiResponses) {
      assert.doesNotMatch(r.body, PNR_RE, `no personal number in ${r.url}`);
      // (The workflow definitions name fields, never values.)
      if (!r.url.includes('/v1/workflows')) {
        assert.doesNotMatch(r.body, /"(name|personal_number|contact|subject_id|note|evidence_ref)"/, `no personal field in ${r.url}`);
      }
      assert.doesNotMatch(r.body, /C-[0-9a-f]{12}/, `no case id in ${r.url}`);
      assert.ok(r.status === 200 || r.status === 403 || r.status === 404, `${r.url}: ${r.status}`);
    }
    page.checkProblems();
  } finally {
    await context.close();
  }

  // Compliance gets the exact figures: nothing suppressed.
  const c = await openPage(browser);
  try {
    await signIn(c.page, 'C-1');
    await c.page.goto(`${BASE}/#/indicators`);
    await ready(c.page, '#indicators figure');
    assert.equal(await c.page.getAttribute('#suppressed-summary', 'data-count'), '0');
    assert.equal(await c.page.$$eval('[data-suppressed="true"]', (e) => e.length), 0);
    await screenshot(c.page, 'compliance-indicators');
    c.page.checkProblems();
  } finally {
    await c.context.close();
  }
});

scenario('download-lists', async (browser) => {
  // A generated monthly list of jarva with cases, and a quarterly one.
  let monthly = null;
  for (let y = 2025, m = 1; y < 2027 && !monthly; m === 12 ? (y++, m = 1) : m++) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    const r = await api('A-J1', 'GET', `/v1/lists/monthly?unit=jarva&month=${month}`);
    if (r.status === 200 && r.json.cases.length >= 2) monthly = { month, list: r.json };
  }
  assert.ok(monthly, 'a monthly jarva list with cases');
  let quarterly = null;
  for (const q of ['2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2']) {
    const r = await api('A-J1', 'GET', `/v1/lists/progression?unit=jarva&quarter=${q}`);
    if (r.status === 200 && r.json.cases.length >= 1) { quarterly = { quarter: q, list: r.json }; break; }
  }
  assert.ok(quarterly, 'a quarterly jarva list with cases');

  const { context, page } = await openPage(browser);
  try {
    await signIn(page, 'A-J1');
    await viaApp(page, () => page.click('#nav-lists'), '#list-form');
    await assertLabelled(page, 'lists');
    assert.deepEqual(await page.$$eval('#list-unit option', (o) => o.map((x) => x.value)), ['jarva'], 'an AF officer reads only its unit');
    await page.selectOption('#list-kind', 'monthly');
    await page.fill('#list-month', monthly.month);
    await viaApp(page, () => page.click('#list-show'), '#list-result table');
    assert.equal(await page.getAttribute('#list-id', 'data-list-id'), monthly.list.list_id);
    assert.match((await page.textContent('#list-id')).trim(), /^Månadsmöte Järva \p{L}+ \d{4}$/u, 'the list named in words');
    const ids = await page.$$eval('#list-result tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(ids, monthly.list.cases.map((c) => c.case_id));
    await screenshot(page, 'monthly-list');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const csvPath = path.join(ART, csv.suggestedFilename());
    await csv.saveAs(csvPath);
    assert.match(csv.suggestedFilename(), /^monthly_[a-z]+_\d{4}-\d{2}\.csv$/, 'a portable file name: no colons');
    const lines = fs.readFileSync(csvPath, 'utf8').trim().split(/\r?\n/);
    assert.equal(lines[0], 'list_id,case_id,state,referred_at,carried_over');
    assert.equal(lines.length, monthly.list.cases.length + 1);
    for (const c of monthly.list.cases) assert.ok(lines.some((l) => l.includes(c.case_id)), `${c.case_id} in the CSV`);
    await page.waitForSelector('#download-status [data-file]');

    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('#download-xlsx')]);
    const xlsxPath = path.join(ART, xlsx.suggestedFilename());
    await xlsx.saveAs(xlsxPath);
    assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
    const head = fs.readFileSync(xlsxPath).subarray(0, 2).toString('latin1');
    assert.equal(head, 'PK', 'the XLSX is a zip file');

    // The quarterly (progression) list.
    const [qy, qq] = quarterly.quarter.split('-');
    await page.selectOption('#list-kind', 'progression');
    await page.selectOption('#list-year', qy);
    await page.selectOption('#list-quarter', qq);
    await viaApp(page, () => page.click('#list-show'), '#list-result table');
    assert.equal(await page.getAttribute('#list-id', 'data-list-id'), quarterly.list.list_id);
    const [qcsv] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const qPath = path.join(ART, qcsv.suggestedFilename());
    await qcsv.saveAs(qPath);
    const qlines = fs.readFileSync(qPath, 'utf8').trim().split(/\r?\n/);
    assert.equal(qlines.length, quarterly.list.cases.length + 1);
    await screenshot(page, 'quarterly-list');

    // A list that is not generated yet.
    await page.selectOption('#list-kind', 'monthly');
    await page.fill('#list-month', '2030-01');
    await viaApp(page, () => page.click('#list-show'), '#list-result .notice');
    assert.match(await page.textContent('#list-result'), /inte skapad ännu/);
    page.checkProblems();
  } finally {
    await context.close();
  }
});

// The worker's view: every reminder the API lists, filtered by status, with delivery; no case
// links for a role that reads no cases, links for compliance.
scenario('reminders-for-the-worker', async (browser) => {
  const all = (await apiOk('W-1', 'GET', '/v1/reminders?status=all')).reminders;
  const sent = all.filter((r) => r.status === 'sent');
  assert.ok(all.length > 0 && sent.length > 0, 'the demo data has fired reminders');
  const { context, page } = await openPage(browser);
  try {
    await signIn(page, 'W-1');  // the worker's only view opens first
    await ready(page, '#reminder-results');
    assert.equal(await page.evaluate(() => location.hash), '#/reminders');
    // It opens on what needs action: the due ones and the failed deliveries, newest first.
    const failed = sent.filter((r) => Object.values(r.delivery || {}).some((d) => d.state === 'dead_lettered'));
    const action = [...all.filter((r) => r.status === 'due'), ...failed];
    assert.equal(await page.$eval('#reminder-status', (s) => s.value), 'action');
    assert.equal(await page.$$eval('.reminders-table tbody tr', (rs) => rs.length), action.length, 'one row per reminder needing action');
    assert.ok(await page.$$eval('.reminders-table [data-status]', (ss) => ss.every((s) => s.dataset.status === 'due' || s.dataset.status === 'sent')));
    // All of them: the first page of 200, newest first within it.
    await page.selectOption('#reminder-status', 'all');
    await viaApp(page, () => page.click('#reminder-apply'), '.reminders-table');
    const firstPage = Math.min(all.length, 200);  // the view asks for pages of 200
    assert.equal(await page.$$eval('.reminders-table tbody tr', (rs) => rs.length), firstPage, 'one row per reminder');
    assert.equal(await page.$('#next-page') !== null, all.length > 200, 'a next-page link when more follow');
    const due = await page.$$eval('.reminders-table tbody tr td:first-child', (tds) => tds.map((td) => (td.querySelector('time') ? td.querySelector('time').getAttribute('datetime') : '')));
    assert.deepEqual(due, [...due].sort().reverse(), 'newest first');
    assert.equal(await page.$$eval('.reminders-table a.case-link', (as) => as.length), 0, 'a worker reads no cases');
    await assertLabelled(page, 'reminders');
    await screenshot(page, 'reminders-worker');
    await page.selectOption('#reminder-status', 'sent');
    await viaApp(page, () => page.click('#reminder-apply'), '.reminders-table');
    const statuses = await page.$$eval('.reminders-table [data-status]', (ss) => ss.map((s) => s.dataset.status));
    assert.equal(statuses.length, sent.length);
    assert.ok(statuses.every((s) => s === 'sent'), 'only sent reminders');
    assert.match(await page.textContent('main'), /Skickad/);
    page.checkProblems();
  } finally {
    await context.close();
  }
  const { context: c2, page: p2 } = await openPage(browser);
  try {
    await signIn(p2, 'C-1');
    await p2.goto(`${BASE}/#/reminders?status=sent`);
    await ready(p2, '.reminders-table');
    const first = await p2.$eval('.reminders-table a.case-link', (a) => a.getAttribute('href'));
    assert.match(first, /^#\/cases\/C-[0-9a-f]+$/, 'compliance follows a reminder to its case');
    await viaApp(p2, () => p2.click('.reminders-table a.case-link'), '#case-reminders .reminders-table');
    const caseId = first.split('/').pop();
    const own = (await apiOk('C-1', 'GET', `/v1/reminders?case_id=${caseId}`)).reminders;
    assert.equal(await p2.$$eval('#case-reminders tbody tr', (rs) => rs.length), own.length, "the case page lists the case's reminders");
    await screenshot(p2, 'case-reminders');
    p2.checkProblems();
  } finally {
    await c2.close();
  }
});

scenario('erasure-by-compliance', async (browser) => {
  // A subject with a referral note (personal data in an event), so the erasure shows in the
  // timeline too.
  const subject = await apiOk('A-J1', 'POST', '/v1/subjects', {
    personal_number: '19121212-1212', name: 'Tolvan Testsson', gender: 'male', contact: { phone: '+46701234567' },
  });
  const sid = subject.subject_id;
  await apiOk('A-J1', 'POST', `/v1/subjects/${sid}/consents`, {
    scopes: ['transfer_referral', 'share_guidance', 'share_study_progress'], method: 'signed_form', evidence_ref: 'form-web-1',
  });
  const created = await apiOk('A-J1', 'POST', '/v1/cases', {
    subject_id: sid, unit: 'jarva', channel: 'space', long_term_unemployed: true, lacks_upper_secondary: true,
    resident_stockholm: true, rom_participant: false, need_assessed: true, note: 'föredrar förmiddagar',
  });
  const cid = created.case_id;
  // A refused command (a slot in the past), for the audit's list of refusals.
  const refused = await api('V-1', 'POST', `/v1/cases/${cid}/commands`, { command: 'BookConversation', data: { slot: '2020-01-01T10:00:00+01:00' } });
  assert.equal(refused.status, 422);

  const { context, page } = await openPage(browser);
  try {
    await signIn(page, 'C-1');
    await page.goto(`${BASE}/#/cases/${cid}`);
    await ready(page, '#timeline');
    assert.equal(await page.getAttribute('#subject', 'data-subject'), 'shown');
    assert.match(await page.textContent('#subject'), /Tolvan Testsson/);
    assert.match(await page.textContent('#timeline'), /föredrar förmiddagar/);
    await screenshot(page, 'compliance-case-before-erasure');

    await viaApp(page, () => page.click('#audit-link'), '#chain-status');
    await assertLabelled(page, 'audit');
    assert.equal(await page.getAttribute('#chain-status', 'data-chain'), 'ok');
    const auditApi = await apiOk('C-1', 'GET', `/v1/cases/${cid}/audit`);
    assert.equal(await page.$$eval('table.audit-events tbody tr', (r) => r.length), auditApi.events.length);
    assert.ok(await page.$$eval('table.audit-reads tbody tr', (r) => r.length) >= 1, 'the reads are listed');
    assert.equal(auditApi.refused_commands.length, 1);
    const refusals = await page.$$eval('table.audit-refused tbody tr', (rows) => rows.map((r) => r.textContent));
    assert.equal(refusals.length, 1, 'the refused command is listed');
    assert.match(refusals[0], /Boka samtal.*Villkor inte uppfyllt.*Samtalstiden måste ligga i framtiden/, 'the refusal in words');
    assert.equal(await page.$eval('table.audit-refused .refusal-code', (e) => e.dataset.code), 'guard_failed');
    await screenshot(page, 'audit');

    // The register extract, as a download.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#extract-download')]);
    const extractPath = path.join(ART, dl.suggestedFilename());
    await dl.saveAs(extractPath);
    const extract = JSON.parse(fs.readFileSync(extractPath, 'utf8'));
    assert.equal(extract.subject_id, sid);
    assert.equal(extract.personal_data.name, 'Tolvan Testsson');
    assert.ok(extract.cases.some((c) => c.case_id === cid));

    // Erasure: the legal basis is required, and a confirmation step comes first.
    await page.fill('#erasure-reference', 'DNR-2026-0099');
    await page.click('#erasure-start');
    assert.match(await page.textContent('#erasure-legal-basis-error'), /Välj en rättslig grund/);
    assert.equal(await page.getAttribute('#erasure-legal-basis', 'aria-invalid'), 'true');
    assert.equal(await page.$eval('#erasure-dialog', (d) => d.open), false, 'no confirmation without a legal basis');
    await page.selectOption('#erasure-legal-basis', 'art17_request');
    await page.fill('#erasure-reference', 'has spaces');
    await page.click('#erasure-start');
    assert.match(await page.textContent('#erasure-reference-error'), /diarienummer/);
    assert.equal(await page.$eval('#erasure-dialog', (d) => d.open), false);
    await page.fill('#erasure-reference', 'DNR-2026-0099');
    await page.click('#erasure-start');
    await page.waitForSelector('#erasure-dialog[open]');
    assert.match(await page.textContent('#erasure-confirm-text'), new RegExp(`Tolvan Testsson \\(${sid}\\).*Begäran om radering \\(art\\. 17\\).*DNR-2026-0099`), 'the person, the basis in words and the reference');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'erasure-cancel', 'focus starts on Cancel');
    await screenshot(page, 'erasure-confirm');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.getElementById('erasure-dialog').open);
    assert.equal((await apiOk('C-1', 'GET', `/v1/cases/${cid}`)).subject.name, 'Tolvan Testsson', 'cancel erases nothing');

    await page.click('#erasure-start');
    await page.waitForSelector('#erasure-dialog[open]');
    await page.click('#erasure-confirm');
    await page.waitForSelector('#erasure-result');
    assert.match(await page.textContent('#erasure-result'), new RegExp(cid));
    await screenshot(page, 'erasure-done');

    // The case now shows the erased fields.
    await viaApp(page, () => page.click(`#erasure-result a:text-is("${cid}")`), '#timeline');
    assert.equal(await page.getAttribute('#subject', 'data-subject'), 'erased');
    assert.match(await page.textContent('#subject'), /Raderad/);
    assert.equal(await page.getAttribute('#case-state', 'data-state'), 'closed');
    const referral = await page.$eval('#timeline li[data-type="ReferralSubmitted"]', (li) => li.querySelector('.event-data').textContent);
    assert.match(referral, /Raderad/, 'the referral note shows as erased');
    assert.doesNotMatch(await page.textContent('main'), /Tolvan|föredrar|19121212/, 'no trace of the personal data');
    assert.ok(await page.$('#timeline li[data-type="CaseClosed"]'), 'the closing event is shown');
    await screenshot(page, 'case-after-erasure');

    // The extract is gone, and the log still verifies.
    await viaApp(page, () => page.click('#audit-link'), '#chain-status');
    await page.click('#extract-download');
    await page.waitForSelector('#extract-status [data-error="erased"]');
    await viaApp(page, () => page.click('#nav-audit'), '#verify-status [data-verify]');
    assert.equal(await page.getAttribute('#verify-status [data-verify]', 'data-verify'), 'ok');
    await screenshot(page, 'verify-after-erasure');
    page.checkProblems();
  } finally {
    await context.close();
  }

  // The AF officer of the unit sees the erasure too.
  const af = await openPage(browser);
  try {
    // A deep link opened before signing in is shown after it.
    await af.page.goto(`${BASE}/#/cases/${cid}`);
    await af.page.waitForSelector('#signin-form');
    await af.page.fill('#token', USERS['A-J1'].token);
    await af.page.click('#signin-submit');
    await ready(af.page, '#timeline');
    assert.equal(await af.page.evaluate(() => location.hash), `#/cases/${cid}`);
    assert.equal(await af.page.getAttribute('#subject', 'data-subject'), 'erased');
    af.page.checkProblems();
  } finally {
    await af.context.close();
  }
});

// ---------------------------------------------------------------------------------------------

scenario('rectify-from-the-person-card', async (browser) => {
  // A jarva case whose person the officer sees (not the fixture case other scenarios read).
  let chosen = null;
  for (const c of (await allCases('A-J1')).filter((x) => x.unit === 'jarva')) {
    const full = await apiOk('A-J1', 'GET', `/v1/cases/${c.case_id}`);
    if (full.subject && typeof full.subject.name === 'string' && full.subject.name !== 'Tova Fixtursson') { chosen = full; break; }
  }
  assert.ok(chosen, 'a jarva case whose person the officer may see');
  const { context, page } = await openPage(browser);
  try {
    await signIn(page, 'A-J1');
    await ready(page, '#main');
    await viaApp(page, () => page.evaluate((id) => { location.hash = '#/cases/' + id; }, chosen.case_id), '#timeline');
    assert.equal((await page.inputValue('#rectify-name')), chosen.subject.name, 'the form starts from the current values');
    await page.click('#rectify summary');
    await assertLabelled(page, 'rectification form');
    // Nothing changed: said so, nothing sent.
    await page.click('#rectify-save');
    await page.waitForSelector('#rectify-status .notice-warning');
    await page.fill('#rectify-name', 'Rättad Testperson');
    await page.fill('#rectify-reason', 'stavfel vid registreringen');
    await viaApp(page, () => page.click('#rectify-save'), '#rectify-done');
    assert.equal((await page.textContent('#subject .subject-name')).trim(), 'Rättad Testperson');
    await screenshot(page, 'case-rectified');
    page.checkProblems();
  } finally {
    await context.close();
  }
  const extract = await apiOk('C-1', 'GET', `/v1/subjects/${chosen.subject_id}/extract`);
  assert.equal(extract.personal_data.name, 'Rättad Testperson');
  assert.equal(extract.rectifications.length, 1);
  assert.ok(JSON.stringify(extract.rectifications[0]).includes('A-J1'), 'the rectification names its author');
  assert.ok(!JSON.stringify(extract).includes(chosen.subject.name), 'the old name is shown nowhere in the extract');

  // A study counsellor reads the person but gets no rectification form.
  const syv = await openPage(browser);
  try {
    await signIn(syv.page, 'V-1');
    await ready(syv.page, '#main');
    await viaApp(syv.page, () => syv.page.evaluate((id) => { location.hash = '#/cases/' + id; }, chosen.case_id), '#timeline');
    assert.equal(await syv.page.$('#rectify'), null, 'no form for a role that may not rectify');
    syv.page.checkProblems();
  } finally {
    await syv.context.close();
  }
});

// ---------------------------------------------------------------------------------------------
// The counsellors' workspace: the whole walk of a case through the UI, by keyboard.

// Tabs forward from the current focus until `selector` has it (the control is reachable with
// the keyboard), at most `max` presses.
async function tabTo(page, selector, max = 250) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => { const a = document.activeElement; return !!a && a.matches(s); }, selector)) return;
    await page.keyboard.press('Tab');
  }
  const at = await page.evaluate(() => (document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : 'none'));
  throw new Error(`${selector} not reached with Tab (focus on ${at})`);
}

async function kbType(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

async function kbSelect(page, selector, value) {
  await tabTo(page, selector);
  for (let i = 0; i < 30; i++) {
    const [at, want] = await page.$eval(selector, (e, v) => [e.selectedIndex, [...e.options].findIndex((o) => o.value === v)], value);
    if (want < 0) break;
    if (at === want) return;
    await page.keyboard.press(at < want ? 'ArrowDown' : 'ArrowUp');
  }
  throw new Error(`${selector}: option ${value} not reached with the arrow keys`);
}

async function kbPress(page, selector, key = 'Enter') {
  await tabTo(page, selector);
  await page.keyboard.press(key);
}

// A radio of a generated bool field: Tab reaches the group's checked (or first) radio, arrows move.
async function kbRadio(page, form, field, value) {
  const group = `${form} [data-field="${field}"] input[type=radio]`;
  await tabTo(page, group);
  const target = `${form} [data-field="${field}"] input[value="${value}"]`;
  for (let i = 0; i < 4; i++) {
    if (await page.$eval(target, (e) => e.checked)) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`${target} not chosen with the arrow keys`);
}

// Opens a menu entry with the keyboard: Shift+Tab from the page heading up to it, Enter.
async function kbMenu(page, id, selector) {
  await page.focus('main h1');
  for (let i = 0; i < 40 && !(await page.evaluate((x) => document.activeElement.id === 'nav-' + x, id)); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await viaApp(page, () => page.keyboard.press('Enter'), selector);
}

// Opens a command's form on the case page (its <details>) from the top of the page.
async function openCommand(page, name) {
  await page.focus('main h1');
  await kbPress(page, `#open-${name}`);
  await page.waitForSelector(`#cmd-${name}`, { state: 'visible' });
}

async function submitCommand(page, name) {
  await viaApp(page, () => kbPress(page, `#cmd-${name}-submit`), '#command-done');
  return (await page.textContent('#command-done')).trim();
}

// A valid personal identity number (Luhn) nobody in the demo data has: born 1986, random serial.
function freshPersonalNumber() {
  const mmdd = String(1 + Math.floor(Math.random() * 12)).padStart(2, '0') + String(1 + Math.floor(Math.random() * 28)).padStart(2, '0');
  const serial = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  const nine = '86' + mmdd + serial;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `19${nine.slice(0, 6)}-${nine.slice(6)}${(10 - (sum % 10)) % 10}`;
}

async function caseState(page) {
  return page.$eval('#case-state', (e) => e.dataset.state);
}

const WALK = { caseId: null, pnr: null, subjectId: null, slot1: null, slot2: null, reviewed: null, started: null };

scenario('workspace-walk', async (browser) => {
  WALK.pnr = freshPersonalNumber();
  // The AF officer: finds no one, registers the person, records consent and refers.
  const af = await openPage(browser);
  try {
    await signIn(af.page, 'A-J1');
    await ready(af.page, '#start-mine');
    const page = af.page;
    await kbMenu(page, 'person', '#lookup-form');
    await kbType(page, '#lookup-pnr', WALK.pnr);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#lookup-notfound');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'reg-name', 'focus moves to the registration');
    await page.keyboard.type('Walk Testperson');
    await kbSelect(page, '#reg-gender', 'female');
    await kbType(page, '#reg-phone', '+46701234567');
    await kbPress(page, '#register-submit');
    await page.waitForSelector('#register-done');
    assert.ok(!(await page.evaluate(() => location.href)).includes(WALK.pnr.slice(0, 8)), 'the number is never in the URL');
    // Consent: every scope in plain Swedish, method and evidence.
    const scopes = await page.$$eval('#consent-form .consent-scope label', (ls) => ls.map((l) => l.textContent));
    assert.equal(scopes.length, 3);
    assert.ok(scopes.every((s) => /AF|Vux/.test(s) && !/_/.test(s)), 'scopes in words: ' + scopes.join(' | '));
    for (const s of ['transfer_referral', 'share_guidance', 'share_study_progress']) await kbPress(page, `#consent-${s}`, 'Space');
    await kbSelect(page, '#consent-method', 'bankid');
    await kbType(page, '#consent-evidence', 'BID-2026-0001');
    await kbPress(page, '#consent-submit');
    await page.waitForSelector('#consent-done');
    // The referral form, generated from SubmitReferral: guard G-TARGET explained first.
    assert.match(await page.textContent('#referral .conditions'), /bo i Stockholm/);
    await kbSelect(page, '#referral [data-field="channel"] select', 'space');
    for (const f of ['long_term_unemployed', 'lacks_upper_secondary', 'need_assessed', 'resident_stockholm']) await kbRadio(page, '#referral', f, 'true');
    await kbRadio(page, '#referral', 'rom_participant', 'false');
    await viaApp(page, () => kbPress(page, '#referral-submit'), '#referral-done');
    WALK.caseId = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
    assert.match(WALK.caseId, /^C-/);
    assert.equal(await caseState(page), 'referred');
    assert.match(await page.textContent('#next-text'), /Boka ett samtal/);
    await screenshot(page, 'walk-referred');
    // The AF officer's own case appears under "my cases" once taken.
    await kbPress(page, '#take-responsibility');
    await page.waitForFunction(() => /ansvarig/.test(document.getElementById('responsible-status').textContent));
    page.checkProblems();
  } finally {
    await af.context.close();
  }
  const mine = await apiOk('A-J1', 'GET', '/v1/cases?mine=true');
  assert.ok(mine.cases.some((c) => c.case_id === WALK.caseId), 'the case is among the officer\'s cases');

  // The SYV: books, records a no-show, rebooks, the conversation with a plan, the start, a pace.
  const syv = await openPage(browser);
  try {
    const page = syv.page;
    await signIn(page, 'V-1');
    await ready(page, '#start-mine');
    // By keyboard: the menu, the case list's search by name, the case.
    await kbMenu(page, 'cases', '#case-search');
    await kbType(page, '#case-search', 'Walk Testperson');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#case-count[data-total="1"]');
    await viaApp(page, () => kbPress(page, '.cases-table a.case-link'), '#next-step');
    assert.equal(decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]), WALK.caseId);
    // Book a slot a few seconds ahead, so that it has passed for the no-show.
    const soon = new Date(Date.now() + 8000);
    WALK.slot1 = soon.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const soonLocal = stockholmLocal(WALK.slot1).replace('T', ' ') + ':' + String(new Date(WALK.slot1).getUTCSeconds()).padStart(2, '0');
    await openCommand(page, 'BookConversation');
    assert.match(await page.textContent('#cmd-BookConversation .conditions'), /framtiden/);
    await kbType(page, '#cmd-BookConversation [data-field="slot"] input', soonLocal);
    await kbSelect(page, '#cmd-BookConversation [data-field="mode"] select', 'digital');
    await submitCommand(page, 'BookConversation');
    assert.equal(await caseState(page), 'booked');
    const wait = new Date(WALK.slot1).getTime() - Date.now() + 1200;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // The start page lists the booking whose time has passed without an outcome (GET /v1/work),
    // the oldest first, and its link leads back to the case.
    await kbMenu(page, 'start', '#start-passed');
    const work = await apiOk('V-1', 'GET', '/v1/work');
    assert.ok(work.passed_bookings.some((b) => b.case_id === WALK.caseId && b.slot === WALK.slot1), 'the API lists the passed booking');
    if (await page.$('#start-passed-all')) await kbPress(page, '#start-passed-all');
    assert.deepEqual(await page.$$eval('#start-passed tbody tr', (trs) => trs.map((tr) => tr.dataset.case)),
      work.passed_bookings.map((b) => b.case_id), 'the start page shows what the API lists, in its order');
    const passedRow = `#start-passed tr[data-case="${WALK.caseId}"]`;
    assert.equal(await page.$eval(`${passedRow} time`, (e) => e.getAttribute('datetime')), WALK.slot1);
    assert.match(await page.textContent('#start-passed caption'), /passerat/);
    await viaApp(page, () => kbPress(page, `${passedRow} a.case-link`), '#next-step');
    assert.equal(decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]), WALK.caseId);
    await openCommand(page, 'RecordNoShow');
    assert.match(await page.textContent('#cmd-RecordNoShow .conditions'), /passerat/);
    await submitCommand(page, 'RecordNoShow');
    assert.equal(await caseState(page), 'referred');
    assert.ok(!(await apiOk('V-1', 'GET', '/v1/work')).passed_bookings.some((b) => b.case_id === WALK.caseId), 'an outcome recorded: no longer due');
    // Rebook for tomorrow 10:00.
    const tomorrow = stockholmDate(new Date(Date.now() + 86400000).toISOString());
    await openCommand(page, 'BookConversation');
    await kbType(page, '#cmd-BookConversation [data-field="slot"] input', `${tomorrow} 10:00`);
    await submitCommand(page, 'BookConversation');
    assert.equal(await caseState(page), 'booked');
    // A bad time is refused in the form, before anything is sent.
    await openCommand(page, 'RescheduleConversation');
    await kbType(page, '#cmd-RescheduleConversation [data-field="slot"] input', '12/24/2026 10:00');
    await kbPress(page, '#cmd-RescheduleConversation-submit');
    await page.waitForSelector('#cmd-RescheduleConversation [aria-invalid="true"]');
    // The conversation: meanwhile the slot is moved in another window (through the API), so the
    // SYV's answer meets a 409, is shown the change and retries. (A monthly review would need a
    // meeting whose list holds this new case: G-MEETING.)
    await openCommand(page, 'RecordConversationHeld');
    assert.match(await page.textContent('#cmd-RecordConversationHeld .conditions'), /vill studera/);
    await kbSelect(page, '#cmd-RecordConversationHeld [data-field="outcome"] select', 'plan');
    await kbRadio(page, '#cmd-RecordConversationHeld', 'wants_to_study', 'true');
    await kbType(page, '#cmd-RecordConversationHeld [data-field="note"] textarea', 'Vill läsa matematik');
    const v = (await apiOk('A-J1', 'GET', `/v1/cases/${WALK.caseId}`)).version;
    const moved = new Date(new Date(`${tomorrow}T00:00:00Z`).getTime() + 86400000).toISOString().slice(0, 10);
    await apiOk('V-1', 'POST', `/v1/cases/${WALK.caseId}/commands`, { command: 'RescheduleConversation', expected_version: v, data: { slot: `${moved}T10:00:00+01:00` } });
    await kbPress(page, '#cmd-RecordConversationHeld-submit');
    await page.waitForSelector('#cmd-RecordConversationHeld [data-error="version_conflict"]');
    const conflict = await page.textContent('#cmd-RecordConversationHeld [data-error="version_conflict"]');
    assert.match(conflict, /Någon annan har ändrat ärendet/);
    assert.match(conflict, /Samtal ombokat/, 'the change is named');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'cmd-RecordConversationHeld-retry');
    await screenshot(page, 'walk-conflict');
    await viaApp(page, () => page.keyboard.press('Enter'), '#command-done');
    assert.equal(await caseState(page), 'planned');
    // Start and pace.
    WALK.started = stockholmDate(new Date().toISOString());
    await openCommand(page, 'RecordStudiesStarted');
    await kbType(page, '#cmd-RecordStudiesStarted [data-field="start_date"] input', WALK.started);
    await kbSelect(page, '#cmd-RecordStudiesStarted [data-field="pace"] select', 'part_time');
    await submitCommand(page, 'RecordStudiesStarted');
    assert.equal(await caseState(page), 'studying');
    await openCommand(page, 'RecordStudyPace');
    await kbSelect(page, '#cmd-RecordStudyPace [data-field="pace"] select', 'full_time');
    await submitCommand(page, 'RecordStudyPace');
    assert.equal(await caseState(page), 'studying');
    assert.equal((await page.textContent('#case-pace')).trim(), 'Heltid');
    await screenshot(page, 'walk-studying');

    // The monthly meeting of Järva: recorded with its attendees, one listed case reviewed.
    await kbMenu(page, 'meeting', '#meeting-form');
    assert.equal(await page.$eval('#meeting-unit', (s) => s.value), 'jarva');
    await kbType(page, '#meeting-participants', 'V-1, A-J1');
    await viaApp(page, () => kbPress(page, '#meeting-record'), '#meeting-done');
    // What the meeting needs per listed case, as GET /v1/lists/monthly/rows gives it: the name
    // only where the API gives one, the days since the referral, application and study plan.
    const month = await page.$eval('#meeting-month', (e) => e.value);
    const apiRows = (await apiOk('V-1', 'GET', `/v1/lists/monthly/rows?unit=jarva&month=${month}`)).rows;
    const shown = await page.$$eval('#meeting-list .meeting-table tbody tr', (trs) => trs.map((tr) => ({
      id: tr.dataset.case, name: tr.querySelector('.row-name').textContent, days: tr.querySelector('.row-days').textContent,
      application: tr.querySelector('.row-application').textContent, plan: tr.querySelector('.row-plan').textContent,
    })));
    assert.deepEqual(shown.map((r) => r.id), apiRows.map((r) => r.case_id), 'the meeting shows the rows of the API, in order');
    for (const [i, r] of apiRows.entries()) {
      const s = shown[i];
      assert.equal(s.name, r.name === null || r.name === undefined ? 'Visas inte för dig' : r.name, `${r.case_id}: the name only where the API gives it`);
      assert.equal(s.days, String(r.days_since_referral), `${r.case_id}: days since referral`);
      if (r.application) assert.ok(s.application.startsWith(`Ansökt ${r.application.submitted_on}`), `${r.case_id}: ${s.application}`);
      else assert.equal(s.application, r.visible === false ? 'Inte längre synligt för dig' : 'Ingen ansökan');
      if (r.study_plan) assert.ok(s.plan.endsWith(r.study_plan.made_on), `${r.case_id}: ${s.plan}`);
      else assert.equal(s.plan, r.visible === false ? 'Inte längre synligt för dig' : 'Ingen studieplan');
    }
    log(`  monthly meeting ${month}: ${apiRows.length} rows, ${apiRows.filter((r) => r.name).length} with a name, ${apiRows.filter((r) => r.application).length} with an application, ${apiRows.filter((r) => r.study_plan).length} with a study plan`);
    const firstReview = await page.$('#meeting-list details.command summary');
    assert.ok(firstReview, 'a listed case can be reviewed');
    const sumId = await firstReview.evaluate((e) => e.closest('details').querySelector('form').id);
    WALK.reviewed = sumId.replace(/^review-/, '');
    await page.focus('main h1');
    await kbPress(page, `#open-${sumId}`);
    await kbSelect(page, `#${sumId} [data-field="joint_plan"] select`, 'group_activity_then_syv_follow_up');
    await kbPress(page, `#${sumId}-submit`);
    await page.waitForSelector(`#reviewed-${WALK.reviewed}`);
    await screenshot(page, 'walk-meeting');
    page.checkProblems();
  } finally {
    await syv.context.close();
  }

  // Event by event, through the API.
  const evs = (await apiOk('C-1', 'GET', `/v1/cases/${WALK.caseId}/events`)).events;
  const brief = evs.map((e) => [e.type, e.actor.id]);
  assert.deepEqual(brief, [
    ['ReferralSubmitted', 'A-J1'], ['ConversationBooked', 'V-1'], ['ConversationNoShow', 'V-1'], ['ConversationBooked', 'V-1'],
    ['ConversationRescheduled', 'V-1'], ['ConversationHeld', 'V-1'], ['IndividualStudyPlanCreated', 'V-1'],
    ['StudiesStarted', 'V-1'], ['StudyPaceChanged', 'V-1'],
  ]);
  assert.deepEqual(evs.map((e) => e.version), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const d = evs.map((e) => e.data);
  assert.equal(d[0].channel, 'space');
  assert.equal(d[0].unit, 'jarva');
  for (const f of ['long_term_unemployed', 'lacks_upper_secondary', 'need_assessed', 'resident_stockholm']) assert.equal(d[0][f], true, f);
  assert.equal(d[0].rom_participant, false);
  assert.equal(d[1].slot, WALK.slot1, 'the first slot, to the second, in UTC');
  assert.equal(d[1].mode, 'digital');
  assert.equal(stockholmLocal(d[3].slot), `${stockholmDate(new Date(Date.now() + 86400000).toISOString())}T10:00`, 'the second slot at 10:00 Stockholm time');
  assert.equal(d[5].outcome, 'plan');
  assert.equal(d[5].note, 'Vill läsa matematik');
  assert.equal(d[7].start_date, WALK.started);
  assert.equal(d[7].pace, 'part_time');
  assert.equal(d[8].pace, 'full_time');
  const c = await apiOk('C-1', 'GET', `/v1/cases/${WALK.caseId}`);
  assert.equal(c.subject.name, 'Walk Testperson');
  assert.equal(c.subject.personal_number, WALK.pnr);
  assert.equal(c.state, 'studying');
  assert.equal(c.pace, 'full_time');
  const extract = await apiOk('C-1', 'GET', `/v1/subjects/${c.subject_id}/extract`);
  const consents = JSON.stringify(extract.consents || extract);
  assert.ok(/bankid/.test(consents) && /share_study_progress/.test(consents), 'the consent with its method and scopes');
  const meetings = (await apiOk('V-1', 'GET', '/v1/meetings?unit=jarva')).meetings;
  assert.ok(meetings.some((m) => m.recorded_by === 'V-1' && m.participants.includes('A-J1') && m.participants.includes('V-1')), 'the meeting is recorded');
  const reviewed = (await apiOk('C-1', 'GET', `/v1/cases/${WALK.reviewed}/events`)).events.at(-1);
  assert.equal(reviewed.type, 'CaseReviewedAtMonthlyMeeting');
  assert.equal(reviewed.data.joint_plan, 'group_activity_then_syv_follow_up');
  assert.match(reviewed.data.meeting, /^monthly:jarva:/);
});

// ---------------------------------------------------------------------------------------------
// Accessibility (axe-core), narrow screens and language: every view, form and dialog.

const AXE_SOURCE = fs.readFileSync(path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const NARROW = { width: 390, height: 844 };

// English words that are not Swedish ones (the Swedish UI must not show them), and codes of the
// API that are never shown raw whatever their form.
const ENGLISH = new Set(['the', 'and', 'of', 'to', 'for', 'with', 'case', 'cases', 'state', 'referred', 'booked', 'unplanned',
  'planned', 'studying', 'aborted', 'completed', 'closed', 'pending', 'delivered', 'scheduled', 'due', 'sent', 'cancelled',
  'true', 'false', 'null', 'undefined', 'webhook', 'reminder', 'reminders', 'meeting', 'list', 'lists', 'search', 'submit',
  'save', 'error', 'unknown', 'outcome', 'pace', 'consent', 'scope', 'subject', 'event', 'events', 'full', 'time', 'part',
  'yes', 'no', 'show', 'next', 'previous', 'page', 'choose', 'required', 'optional', 'phone', 'email', 'name', 'first', 'back']);
const RAW_CODES = ['public_task', 'service_card', 'case_handling', 'compliance_review', 'rebook_digital', 'as_of', 'valid_at', 'webhook'];

async function knownCodes() {
  const w = await apiOk('C-1', 'GET', '/v1/workflows');
  const codes = new Set(RAW_CODES);
  const add = (x) => { if (typeof x === 'string' && x) codes.add(x); };
  for (const r of w.workflows) {
    add(r.revision);
    r.states.forEach(add);
    for (const c of r.commands) {
      add(c.name);
      (c.guards || []).forEach(add);
      (c.consent || []).forEach(add);
      for (const [f, spec] of Object.entries(c.fields || {})) {
        add(f);
        if (Array.isArray(spec.codes)) spec.codes.forEach(add);
      }
      for (const o of c.outcomes || []) for (const e of o.emits || []) add(e.event);
    }
    for (const tm of r.timers || []) add(tm.kind);
  }
  Object.keys(w.model.roles).forEach(add);
  Object.keys(w.model.consent.scopes).forEach(add);
  w.model.consent.methods.forEach(add);
  for (const role of Object.values(w.model.roles)) { add(role.purpose); (role.may || []).forEach(add); }
  // Plain words among the codes (plan, digital, phone, city …) are Swedish or names too: only
  // the codes that cannot be words count (snake_case, CamelCase, with @ or :).
  return [...codes].filter((c) => /[_@:]|[a-z][A-Z]/.test(c));
}

let CODES = null;

// The words on screen that are codes or English: the visible text of header and main, without
// what users typed or the data shows as it is (ids, names, numbers, notes: marked data-raw or
// inside <code>, <time>, text inputs).
async function untranslated(page) {
  if (!CODES) CODES = await knownCodes();
  const text = await page.evaluate(() => {
    const skip = (el) => el.closest('code, .hash, [data-raw]');
    const parts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || skip(el) || !el.checkVisibility || !el.checkVisibility()) continue;
      if (['SCRIPT', 'STYLE', 'TEXTAREA'].includes(el.tagName)) continue;
      parts.push(n.textContent);
    }
    for (const o of document.querySelectorAll('select option')) if (o.parentElement.checkVisibility()) parts.push(o.textContent);
    return parts.join(' ');
  });
  const found = new Set();
  for (const c of CODES) if (text.includes(c)) found.add(c);
  for (const w of text.split(/[^\p{L}_]+/u)) {
    if (!w || /^[A-Z]/.test(w) === false && ENGLISH.has(w)) { if (w) found.add(w); continue; }
    if (ENGLISH.has(w.toLowerCase()) && w.length > 3) found.add(w);
  }
  return [...found];
}

// axe-core (critical and serious), sideways scrolling at 390 px and, in Swedish, untranslated
// codes and English words. `what` names the view in the messages.
let viewsChecked = 0;
async function checkView(page, what, { lang = 'sv' } = {}) {
  viewsChecked += 1;
  const res = await page.evaluate(async (src) => {
    if (!window.axe) (0, eval)(src);
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  }, AXE_SOURCE);
  assert.deepEqual(res, [], `axe-core on ${what}`);
  const size = page.viewportSize();
  await page.setViewportSize(NARROW);
  await page.waitForTimeout(50);
  const wide = await page.evaluate(() => {
    const over = document.documentElement.scrollWidth - window.innerWidth;
    if (over <= 0) return null;
    const culprits = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1
      && !e.closest('.table-wrap, .diagram-scroll, .chart-scroll')).slice(-3).map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
    return `${over}px too wide: ${culprits.join(', ')}`;
  });
  await page.setViewportSize(size);
  assert.equal(wide, null, `${what} scrolls sideways at 390 px`);
  if (lang === 'sv') assert.deepEqual(await untranslated(page), [], `untranslated on ${what}`);
}

scenario('accessibility-and-language', async (browser) => {
  CODES = await knownCodes();
  assert.ok(CODES.includes('BookConversation') && CODES.includes('rebook_digital') && CODES.includes('study-referral@1'));
  // The check itself: a page with a raw code fails it.
  {
    const { context, page } = await openPage(browser);
    await page.goto(BASE + '/');
    await page.waitForSelector('#signin-form');
    await page.evaluate(() => { const p = document.createElement('p'); p.textContent = 'Kanal: rebook_digital, state booked'; document.getElementById('main').appendChild(p); });
    const caught = await untranslated(page);
    assert.ok(caught.includes('rebook_digital') && caught.includes('state'), 'the check catches codes and English: ' + caught);
    // … and axe-core runs: a button without a name is a critical violation.
    await page.evaluate(() => { document.getElementById('main').appendChild(document.createElement('button')); });
    await assert.rejects(checkView(page, 'a page with a nameless button', { lang: 'en' }), /button-name/);
    await context.close();
  }
  const views = [];
  const visit = async (page, hash, selector, what, before) => {
    await viaApp(page, () => page.evaluate((x) => { location.hash = x; }, hash), selector);
    if (before) await before();
    await checkView(page, what);
    views.push(what);
  };
  const anyCase = (await allCases('V-1')).find((c) => c.unit === 'jarva' && ['referred', 'booked', 'unplanned'].includes(c.state));

  // The SYV: start, case list, a case with every form open, person, meeting, lists.
  {
    const { context, page } = await openPage(browser);
    try {
      await page.goto(BASE + '/');
      await page.waitForSelector('#signin-form');
      await checkView(page, 'sign-in');
      await signIn(page, 'V-1');
      await ready(page, '#start-mine');
      await checkView(page, 'start (syv)');
      await visit(page, '#/cases', '#case-results', 'case list');
      await visit(page, `#/cases/${anyCase.case_id}`, '#timeline', 'case page with its forms', async () => {
        await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
      });
      await visit(page, '#/person', '#lookup-form', 'person search (syv)', async () => {
        await page.fill('#lookup-pnr', '19121212-1212');
        await page.click('#lookup-submit');
        await page.waitForSelector('#lookup-found, #lookup-notfound');
      });
      await visit(page, '#/meeting?unit=jarva', '#meeting-form', 'monthly meeting', async () => {
        await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
      });
      await visit(page, '#/lists', '#list-form', 'lists', async () => {
        await viaApp(page, () => page.click('#list-show'), '#list-result, #main .notice');
      });
      page.checkProblems();
    } finally {
      await context.close();
    }
  }
  // The AF officer: a new person's registration form; a known one's consent and referral forms.
  {
    const { context, page } = await openPage(browser);
    try {
      await signIn(page, 'A-J1');
      await ready(page, '#start-mine');
      await checkView(page, 'start (af_officer)');
      await visit(page, '#/person', '#lookup-form', 'registration form', async () => {
        await page.fill('#lookup-pnr', freshPersonalNumber());
        await page.click('#lookup-submit');
        await page.waitForSelector('#register-form');
      });
      await page.fill('#reg-name', 'Axe Testperson');
      await page.click('#register-submit');
      await page.waitForSelector('#consent-form');
      await checkView(page, 'consent and referral forms');
      // Errors shown in the forms are also checked.
      await page.click('#consent-submit');
      await page.click('#referral-submit');
      await page.waitForSelector('#referral [aria-invalid="true"]');
      await checkView(page, 'forms with errors');
      page.checkProblems();
    } finally {
      await context.close();
    }
  }
  // Compliance: audit, erasure dialog, reminders, indicators; the worker's reminders.
  {
    const { context, page } = await openPage(browser);
    try {
      await signIn(page, 'C-1');
      await ready(page, 'main h1');
      await visit(page, '#/audit', '#main h1', 'verification');
      await visit(page, `#/audit/${anyCase.case_id}`, '#chain-status', 'case audit');
      await page.selectOption('#erasure-legal-basis', 'art17_request');
      await page.fill('#erasure-reference', 'DNR-2026-0001');
      await page.click('#erasure-start');
      await page.waitForSelector('#erasure-dialog[open]');
      const dialog = await page.textContent('#erasure-dialog');
      assert.match(dialog, /Begäran om radering/, 'the legal basis in words');
      assert.doesNotMatch(dialog, /art17_request/);
      await checkView(page, 'erasure dialog');
      await page.keyboard.press('Escape');
      // Time travel to the day of the first event: the later ones are dimmed (their contrast too).
      const firstDay = stockholmDate((await apiOk('C-1', 'GET', `/v1/cases/${anyCase.case_id}/events`)).events[0].recorded_at);
      await visit(page, `#/cases/${anyCase.case_id}?as_of=${firstDay}`, '#timetravel-banner', 'time travel', async () => {
        assert.ok(await page.$('#timeline li[data-included="false"]'), 'later events are marked');
      });
      await visit(page, '#/reminders', '#reminder-results', 'reminders');
      await visit(page, '#/indicators', '#main h1', 'indicators', async () => { await page.waitForSelector('svg.chart, .chart'); });
      page.checkProblems();
    } finally {
      await context.close();
    }
  }
  // The English UI: no raw codes either.
  {
    const { context, page } = await openPage(browser);
    try {
      await signIn(page, 'V-1');
      await ready(page, '#start-mine');
      await viaApp(page, () => page.click('#lang-switch'), '#start-mine');
      await viaApp(page, () => page.evaluate((id) => { location.hash = '#/cases/' + id; }, anyCase.case_id), '#timeline');
      await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
      const rawCodes = async (what) => {
        const text = await page.evaluate(() => document.body.innerText + ' ' + [...document.querySelectorAll('option')].map((o) => o.textContent).join(' '));
        assert.deepEqual(CODES.filter((c) => text.includes(c)), [], `raw codes in the English ${what}`);
      };
      await rawCodes('case page');
      await checkView(page, 'case page in English', { lang: 'en' });
      for (const [hash, sel] of [['#/start', '#start-mine'], ['#/cases', '#case-count'], ['#/meeting?unit=jarva', '#meeting-form'], ['#/lists?kind=progression', '#list-form']]) {
        await viaApp(page, () => page.evaluate((x) => { location.hash = x; }, hash), sel);
        await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
        await rawCodes(hash);
      }
      await viaApp(page, () => page.click('#lang-switch'), '#list-form');
    } finally {
      await context.close();
    }
  }
  log(`  checked ${viewsChecked - 1} views, forms and dialogs with axe-core, at 390 px and (Swedish) for untranslated text`);
});

scenario('case-list-search-sort-page', async (browser) => {
  const all = await allCases('V-1');
  const { context, page } = await openPage(browser);
  try {
    await signIn(page, 'V-1');
    await ready(page, '#start-mine');
    await viaApp(page, () => page.click('#nav-cases'), '#case-count');
    assert.equal(await page.$$eval('.cases-table tbody tr', (r) => r.length), Math.min(50, all.length), 'pages of 50');
    // A total, the newest referral first, pages both ways (pages of 20 here: the demo has ~45 cases).
    await viaApp(page, () => page.evaluate(() => { location.hash = '#/cases?size=20'; }), '#case-count');
    assert.equal(Number(await page.getAttribute('#case-count', 'data-total')), all.length, 'the total is what the API lists');
    const newest = [...all].sort((a, b) => b.referred_at.localeCompare(a.referred_at))[0];
    assert.equal(await page.textContent('.cases-table tbody tr:first-child a.case-link'), newest.case_id, 'newest first');
    assert.equal(await page.$$eval('.cases-table tbody tr', (r) => r.length), 20);
    assert.ok(all.length > 20, 'the demo data fills more than one page');
    await viaApp(page, () => page.click('#next-page'), '#prev-page');
    assert.match(await page.textContent('#case-count'), /visar 21–/);
    await viaApp(page, () => page.click('#prev-page'), '#next-page');
    assert.equal(await page.$('#prev-page'), null);
    // Sortable columns: by state, then the other way.
    await viaApp(page, () => page.click('#sort-state'), '.cases-table');
    assert.equal(await page.$eval('.cases-table thead th:nth-child(3)', (th) => th.getAttribute('aria-sort')), 'ascending');
    const labels = await page.$$eval('.cases-table tbody [data-state]', (s) => s.map((x) => x.textContent));
    assert.deepEqual(labels, [...labels].sort((a, b) => a.localeCompare(b, 'sv')), 'sorted by state');
    await viaApp(page, () => page.click('#sort-state'), '.cases-table');
    assert.equal(await page.$eval('.cases-table thead th:nth-child(3)', (th) => th.getAttribute('aria-sort')), 'descending');
    await assertLabelled(page, 'case list');
    // Search by name and by number: the walk's person; the query never in the URL.
    if (WALK.caseId) {
      await page.fill('#case-search', 'walk testperson');
      await page.click('#case-search-submit');
      await page.waitForSelector('#case-count[data-total="1"]');
      assert.equal(await page.textContent('.cases-table a.case-link'), WALK.caseId);
      await page.fill('#case-search', WALK.pnr);
      await page.click('#case-search-submit');
      await page.waitForFunction((id) => [...document.querySelectorAll('.cases-table a.case-link')].some((a) => a.textContent === id), WALK.caseId);
      const url = await page.evaluate(() => location.href);
      assert.ok(!/walk|testperson/i.test(url) && !url.includes(WALK.pnr.slice(0, 8)), 'the query is not in the URL');
      await checkView(page, 'search results');
    }
    page.checkProblems();
  } finally {
    await context.close();
  }
  if (WALK.caseId) {
    // Both searches were recorded like lookups, on the person's access stream.
    const c = await apiOk('C-1', 'GET', `/v1/cases/${WALK.caseId}`);
    const lookups = (await apiOk('C-1', 'GET', `/v1/subjects/${c.subject_id}/extract`)).lookups;
    const vias = lookups.filter((l) => l.actor === 'V-1').map((l) => l.via);
    assert.ok(vias.includes('name_search') && vias.includes('case_search'), 'searches recorded: ' + vias);
  }
});

scenario('quarterly-list', async (browser) => {
  // The newest generated, unpublished quarterly list of Järva with a studying case.
  let found = null;
  const now = new Date();
  for (let i = 1; i <= 6 && !found; i++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3 * i, 1));
    const q = `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    const r = await api('A-J1', 'GET', `/v1/lists/progression?unit=jarva&quarter=${q}`);
    if (r.status !== 200 || r.json.published_at) continue;
    for (const c of r.json.cases) {
      const cs = await apiOk('V-1', 'GET', `/v1/cases/${c.case_id}`);
      if (cs.state !== 'studying' || cs.unit !== 'jarva') continue;  // G-LIST: a list of the case's own unit
      // Not a person who withdrew a scope (af-redaction-after-consent-withdrawal withdraws
      // share_study_progress from one studying Järva case, and then no feedback can be recorded).
      const subject = (await apiOk('A-J1', 'GET', `/v1/cases/${c.case_id}`)).subject_id;
      const consents = (await apiOk('C-1', 'GET', `/v1/subjects/${subject}/extract`)).consents;
      if (consents.some((e) => e.type === 'ConsentWithdrawn')) continue;
      found = { quarter: q, list: r.json, caseId: c.case_id };
      break;
    }
  }
  assert.ok(found, 'an unpublished quarterly Järva list with a studying case');
  const [qy, qq] = found.quarter.split('-');
  const open = async (page) => {
    await viaApp(page, () => page.evaluate((h) => { location.hash = h; }, `#/lists?kind=progression&unit=jarva&quarter=${qy}-${qq}`), '#list-result .list-table');
  };
  // AF chooses whom to ask Vux about (000 §5.1), by keyboard: every other person on the list is
  // left out, the found case kept; saved, the choice is shown again from GET …/selection.
  const listed = found.list.cases.map((c) => c.case_id);
  const choice = listed.filter((id, i) => id === found.caseId || i % 2 === 1).sort();
  if (listed.length > 1) assert.ok(choice.length < listed.length, 'a proper subset is chosen');
  // AF publishes first: Vux answers on a published list only (G-LIST).
  const af = await openPage(browser);
  try {
    const page = af.page;
    await signIn(page, 'A-J1');
    await ready(page, '#start-mine');
    await open(page);
    assert.match(await page.textContent('#selection-summary'), /Inget val är sparat/);
    assert.deepEqual(await page.$$eval('input.choose-case', (xs) => xs.filter((x) => x.checked).map((x) => x.value)).then((v) => v.sort()),
      [...listed].sort(), 'without a saved choice everyone is asked about');
    await assertLabelled(page, 'the quarterly list with its choice');
    await checkView(page, 'quarterly list (af_officer, choosing)');
    for (const id of listed) {
      if (choice.includes(id)) continue;
      await page.focus(`#choose-${id}`);
      await page.keyboard.press('Space');
    }
    await page.focus(`#choose-${listed.at(-1)}`);
    await viaApp(page, () => kbPress(page, '#save-selection'), '#list-notice');
    assert.match(await page.textContent('#list-notice'), /Valet är sparat/);
    const shownChoice = (await page.$$eval('input.choose-case', (xs) => xs.filter((x) => x.checked).map((x) => x.value))).sort();
    assert.deepEqual(shownChoice, choice, 'the saved choice is shown after the reload');
    assert.match(await page.textContent('#selection-summary'), new RegExp(`${choice.length} av ${listed.length}`));
    const saved = await apiOk('A-J1', 'GET', `/v1/lists/progression/selection?unit=jarva&quarter=${found.quarter}`);
    assert.deepEqual([...saved.case_ids].sort(), choice, 'GET …/selection holds the choice made in the UI');
    assert.equal(saved.published_at, null);
    await checkView(page, 'quarterly list (af_officer, choice saved)');
    await viaApp(page, () => page.click('#publish-list'), '#list-notice');
    assert.equal(await page.$('#publish-list'), null, 'published once');
    assert.equal(await page.$('#save-selection'), null, 'published: the questions are fixed');
    page.checkProblems();
  } finally {
    await af.context.close();
  }
  // Vux answers per person.
  const syv = await openPage(browser);
  try {
    await signIn(syv.page, 'V-1');
    await ready(syv.page, '#start-mine');
    await open(syv.page);
    // The chosen are marked, and only they are offered for an answer.
    const marks = await syv.page.$$eval('#list-result .list-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.case, tr.dataset.chosen, tr.querySelector('.chosen-mark') && tr.querySelector('.chosen-mark').textContent]));
    for (const [id, flag, mark] of marks) {
      assert.equal(flag, String(choice.includes(id)), `${id} marked as chosen or not`);
      assert.equal(mark, choice.includes(id) ? 'Tillfrågas' : 'Tillfrågas inte');
      if (!choice.includes(id)) assert.equal(await syv.page.$(`#open-feedback-${id}`), null, `${id} was not chosen: no answer is asked for`);
    }
    const fid = `feedback-${found.caseId}`;
    await syv.page.click(`#open-${fid}`);
    await syv.page.selectOption(`#${fid} [data-field="pace"] select`, 'part_time');
    await syv.page.check(`#${fid} [data-field="interruption"] input[value="false"]`);
    await syv.page.click(`#${fid}-submit`);
    await syv.page.waitForSelector(`#answered-${found.caseId}`);
    await checkView(syv.page, 'quarterly list (syv)');
    syv.page.checkProblems();
  } finally {
    await syv.context.close();
  }
  const last = (await apiOk('C-1', 'GET', `/v1/cases/${found.caseId}/events`)).events.at(-1);
  assert.equal(last.type, 'ProgressionFeedbackRecorded');
  assert.equal(last.data.list, found.list.list_id);
  assert.equal(last.data.pace, 'part_time');
  assert.equal(last.data.interruption, false);
  const published = await apiOk('A-J1', 'GET', `/v1/lists/progression?unit=jarva&quarter=${found.quarter}`);
  assert.ok(published.published_at, 'the list is published');

  // Published, the list's unanswered cases are due on the start pages (GET /v1/work): worked out
  // here from the cases, their events and the people's consent, then compared with the API and
  // with what the pages show.
  const expected = [];
  for (const c of found.list.cases) {
    if (!choice.includes(c.case_id)) continue;  // AF asks only about the chosen
    const cs = await apiOk('C-1', 'GET', `/v1/cases/${c.case_id}`);
    if (cs.state !== 'studying') continue;
    const evs = (await apiOk('C-1', 'GET', `/v1/cases/${c.case_id}/events`)).events;
    if (evs.some((e) => e.type === 'ProgressionFeedbackRecorded' && e.data && e.data.list === found.list.list_id)) continue;
    const active = new Set();
    for (const e of (await apiOk('C-1', 'GET', `/v1/subjects/${cs.subject_id}/extract`)).consents) {
      for (const sc of (e.data && e.data.scopes) || []) (e.type === 'ConsentGranted' ? active.add(sc) : active.delete(sc));
    }
    if (['transfer_referral', 'share_study_progress'].every((sc) => active.has(sc))) expected.push(c.case_id);
  }
  assert.ok(!expected.includes(found.caseId), 'the answered case is not due');
  log(`  ${found.list.list_id}: ${choice.length} of ${listed.length} chosen, ${expected.length} still to answer after publication`);
  const dueOn = (work) => work.feedback_due.filter((f) => f.list_id === found.list.list_id).map((f) => f.case_id);
  assert.deepEqual(dueOn(await apiOk('V-1', 'GET', '/v1/work')).sort(), [...expected].sort(), 'the SYV\'s feedback due');
  assert.deepEqual(dueOn(await apiOk('A-J1', 'GET', '/v1/work')).sort(), [...expected].sort(), 'the unit\'s AF officer waits for the same');
  assert.deepEqual(dueOn(await apiOk('A-G1', 'GET', '/v1/work')), [], 'another unit\'s officer sees none of it');
  const shownFeedback = async (page) => {
    if (await page.$('#start-feedback-all')) await page.click('#start-feedback-all');
    return page.$$eval('#start-feedback tbody tr', (trs) => trs.map((tr) => [tr.dataset.case, tr.querySelector('a.list-link').textContent]));
  };
  const listName = `Kvartalslista Järva ${qy} kv.${qq.slice(1)}`;
  const syv2 = await openPage(browser);
  try {
    const page = syv2.page;
    await signIn(page, 'V-1');
    await ready(page, '#start-feedback');
    const rows = (await shownFeedback(page)).filter(([, name]) => name === listName).map(([id]) => id);
    assert.deepEqual(rows.sort(), [...expected].sort(), 'the SYV\'s start page lists the cases to answer');
    assert.match(await page.textContent('#start-feedback caption'), /Återkoppling att lämna/);
    if (expected.length) {
      // The list link leads to the list, where the answer is given.
      await page.focus('main h1');
      await viaApp(page, () => kbPress(page, `#start-feedback tr[data-case="${expected[0]}"] a.list-link`), '#list-result .list-table');
      assert.equal(await page.$eval('#list-id', (e) => e.dataset.listId), found.list.list_id);
      assert.ok(await page.$(`#open-feedback-${expected[0]}`), 'the case can be answered there');
    }
    syv2.page.checkProblems();
  } finally {
    await syv2.context.close();
  }
  const af2 = await openPage(browser);
  try {
    await signIn(af2.page, 'A-J1');
    await ready(af2.page, '#start-feedback');
    const heading = await af2.page.$eval('#start-feedback', (e) => e.closest('section').querySelector('h2').textContent);
    assert.match(heading, /Väntar på återkoppling från Vux/);
    const rows = (await shownFeedback(af2.page)).filter(([, name]) => name === listName).map(([id]) => id);
    assert.deepEqual(rows.sort(), [...expected].sort(), 'the AF officer\'s start page shows what Vux has yet to answer');
    af2.page.checkProblems();
  } finally {
    await af2.context.close();
  }
});

async function main() {
  fs.mkdirSync(ART, { recursive: true });
  for (const f of fs.readdirSync(ART)) fs.rmSync(path.join(ART, f), { recursive: true, force: true });
  let browser = null;
  let failed = 0;
  try {
    const s = await startServer();
    BASE = s.base;
    USERS = s.users;
    FIXTURE_CASE = s.fixture;
    log(`server at ${BASE} with ${Object.keys(USERS).length} demo users`);
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: !process.env.HEADED, args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=sv-SE'],
    });
    log('browser', browser.version());
    for (const sc of scenarios) {
      if (ONLY.length && !ONLY.includes(sc.name)) continue;
      const t0 = Date.now();
      try {
        await sc.fn(browser);
        results.push({ name: sc.name, ok: true, ms: Date.now() - t0 });
        log(`PASS ${sc.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed += 1;
        results.push({ name: sc.name, ok: false, ms: Date.now() - t0, error: e.stack || String(e) });
        log(`FAIL ${sc.name}\n${e.stack || e}`);
      }
    }
  } catch (e) {
    failed += 1;
    log('setup failed:', e.stack || e);
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopServer();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const total = ((Date.now() - started) / 1000).toFixed(1);
  fs.writeFileSync(path.join(ART, 'results.json'), JSON.stringify({ total_seconds: Number(total), results }, null, 2));
  console.log(`\n${results.filter((r) => r.ok).length}/${results.length} scenarios passed in ${total} s; screenshots in ${ART}`);
  process.exit(failed ? 1 : 0);
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => { await stopServer(); process.exit(130); });
}

main();
