#!/usr/bin/env node
// The soak (docs/reliability.md §5): a real `casetrail serve` under a mixed load from Debian's wrk
// (mixed.lua: registrations and logged case reads over keep-alive connections) for SOAK_MINUTES,
// SIGKILLed and restarted every SOAK_KILL_EVERY seconds, with slow clients and oversized requests
// beside the load. Afterwards: every acknowledged registration is found, `verify` passes, and the
// server's sockets and pipes are back at their idle level. Writes artifacts/report.{json,md}; exits 1
// when anything was lost or did not hold.
//
//   SOAK_MINUTES       load duration (default 30)
//   SOAK_KILL_EVERY    seconds between SIGKILLs (default 240)
//   SOAK_CONNECTIONS   wrk connections (default 64)
//   SOAK_COMMAND_EVERY one request in N is a registration (default 8)
//   CASETRAIL_BIN      the binary (default build/adapters/casetrail)

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const BIN = process.env.CASETRAIL_BIN || path.join(ROOT, 'build/adapters/casetrail');
const MINUTES = Number(process.env.SOAK_MINUTES || 30);
const KILL_EVERY = Number(process.env.SOAK_KILL_EVERY || 240);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS || 64);
const COMMAND_EVERY = Number(process.env.SOAK_COMMAND_EVERY || 8);
const ART = path.join(HERE, 'artifacts');
const started = Date.now();
const log = (...a) => console.log(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(5)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

fs.mkdirSync(ART, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'casetrail-soak-'));
const DATA = path.join(work, 'data');
const ACKS = path.join(work, 'acks');
fs.mkdirSync(ACKS);
// Whatever happens to the driver, its server does not outlive it.
process.on('exit', () => { try { server?.kill('SIGKILL'); } catch (_) { /* gone */ } });

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The server: started on one port for the whole soak, killed and restarted on the same data.

const PORT = await freePort();
const BASE = `http://127.0.0.1:${PORT}`;
const SERVE_ARGS = ['serve', '--demo', '--data', DATA, '--listen', `127.0.0.1:${PORT}`, '--demo-cases', '200',
                    '--read-timeout', '5', '--lookups-per-minute', '0'];
let server = null;
let users = {};

function spawnServer() {
  const child = spawn(BIN, SERVE_ARGS, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', () => {});  // the server's own log; not needed here
  let out = '';
  child.stdout.on('data', (d) => {
    out += d.toString();
    for (const line of out.split('\n')) {
      const u = /^\s+(\S+)\t([a-z_]+)(?:\/([a-z]+))?\t([0-9a-f]+)\s*$/.exec(line);
      if (u) users[u[2] + (u[3] ? '/' + u[3] : '')] = u[4];
    }
  });
  return child;
}

async function healthy(timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(BASE + '/healthz');
      if (r.status === 200) return true;
    } catch (_) { /* not up yet */ }
    await sleep(100);
  }
  return false;
}

async function startServer() {
  const t0 = Date.now();
  server = spawnServer();
  if (!(await healthy(180000))) throw new Error('the server did not become healthy within 180 s');
  return (Date.now() - t0) / 1000;
}

async function stopServer(signal) {
  if (!server || server.exitCode !== null || server.signalCode !== null) return 0;
  const t0 = Date.now();
  const exited = new Promise((r) => server.once('exit', r));
  server.kill(signal);
  await exited;
  return (Date.now() - t0) / 1000;
}

function sample() {
  try {
    const status = fs.readFileSync(`/proc/${server.pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
    // Sockets and pipes are what a leak would pile up; RocksDB keeps its table files open, and
    // their number grows with the data, so files are counted apart.
    const links = fs.readdirSync(`/proc/${server.pid}/fd`).map((fd) => {
      try { return fs.readlinkSync(`/proc/${server.pid}/fd/${fd}`); } catch (_) { return ''; }
    });
    const sockets = links.filter((l) => l.startsWith('socket:') || l.startsWith('pipe:')).length;
    return { rss, fds: links.length, sockets, files: links.length - sockets };
  } catch (_) {
    return null;  // between a kill and a restart
  }
}

// A read is retried when the connection drops under it: the server may close an idle keep-alive
// connection at its read deadline just as the client reuses it (a race of every HTTP/1.1 server).
async function api(token, method, p, body) {
  for (let attempt = 1; ; ++attempt) {
    try {
      const r = await fetch(BASE + p, {
        method,
        headers: { Authorization: 'Bearer ' + token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: r.status, json: await r.json().catch(() => null) };
    } catch (e) {
      if (method !== 'GET' || attempt === 3) throw e;
      await sleep(100 * attempt);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Slow clients and oversized requests, one every 2 s beside the load; outcomes counted by kind.

const abuse = {};
const count = (kind, outcome) => { abuse[kind] ??= {}; abuse[kind][outcome] = (abuse[kind][outcome] || 0) + 1; };

function rawExchange(payloadParts, gapMs, limitMs) {
  return new Promise((resolve) => {
    const sock = net.connect(PORT, '127.0.0.1');
    let answer = '';
    const done = (what) => { clearTimeout(timer); sock.destroy(); resolve(what); };
    const timer = setTimeout(() => done('still-open'), limitMs);
    sock.on('data', (d) => { answer += d.toString('latin1'); });
    sock.on('error', () => done(answer ? statusOf(answer) : 'reset'));
    sock.on('close', () => done(answer ? statusOf(answer) : 'closed'));
    sock.on('connect', async () => {
      for (const part of payloadParts) {
        if (sock.destroyed) return;
        sock.write(part);
        if (gapMs) await sleep(gapMs);
      }
    });
  });
}
const statusOf = (text) => { const m = /^HTTP\/1\.1 (\d{3})/.exec(text); return m ? m[1] : 'garbled'; };

async function oneAbuse(i) {
  const token = users['compliance'] || '';
  switch (i % 4) {
    case 0: {  // slowloris: one header byte a second; the read deadline (5 s) must end it
      const head = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(30)}\r\n\r\n`;
      count('slow_headers', await rawExchange(head.split(''), 1000, 20000));
      break;
    }
    case 1: {  // a 2 MiB body: 413 (with a token) before the server reads it
      const body = 'x'.repeat(2 << 20);
      count('oversized_body', await rawExchange([
        `POST /v1/subjects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`, body], 0, 20000));
      break;
    }
    case 2:  // a 20 KiB request target: 414
      count('long_url', await rawExchange([`GET /v1/cases?q=${'a'.repeat(20 << 10)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`], 0, 20000));
      break;
    default:  // 70 KiB of headers: 431
      count('large_headers', await rawExchange([`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(70 << 10)}\r\nConnection: close\r\n\r\n`], 0, 20000));
  }
}

// ---------------------------------------------------------------------------------------------
// The run

const report = { started_at: new Date().toISOString(), minutes: MINUTES, kill_every_s: KILL_EVERY, connections: CONNECTIONS,
                 command_every: COMMAND_EVERY, host: { cores: os.cpus().length, load_at_start: os.loadavg() } };

log('first start (demo data) in', work);
report.first_start_s = await startServer();
const idle = sample();
log(`idle: ${(idle.rss / 2 ** 20).toFixed(0)} MiB, ${idle.fds} descriptors (${idle.sockets} sockets and pipes)`);
const reader = users['compliance'], commander = users['af_officer/jarva'];
if (!reader || !commander) throw new Error('the demo users were not printed');
const listed = await api(reader, 'GET', '/v1/cases?limit=200');
const caseIds = (listed.json?.cases || []).map((c) => c.case_id);
if (caseIds.length < 50) throw new Error(`only ${caseIds.length} cases listed`);
fs.writeFileSync(path.join(work, 'cases.txt'), caseIds.join('\n') + '\n');

const wrk = spawn('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${MINUTES * 60}s`, '--timeout', '10s', '--latency',
                          '-s', path.join(HERE, 'mixed.lua'), BASE, '--',
                          ACKS, commander, reader, path.join(work, 'cases.txt'), String(COMMAND_EVERY)],
                  { stdio: ['ignore', 'pipe', 'inherit'] });
let wrkOut = '';
wrk.stdout.on('data', (d) => { wrkOut += d.toString(); });
const wrkDone = new Promise((r) => wrk.once('exit', r));
let loadRunning = true;
wrkDone.then(() => { loadRunning = false; });

const kills = [];
let peak = { ...idle };
const sampler = setInterval(() => {
  const s = sample();
  if (s) peak = { rss: Math.max(peak.rss, s.rss), fds: Math.max(peak.fds, s.fds), sockets: Math.max(peak.sockets, s.sockets), files: Math.max(peak.files, s.files) };
}, 2000);
const abuser = (async () => {
  for (let i = 0; loadRunning; ++i) {
    oneAbuse(i).catch(() => count('driver', 'error'));
    await sleep(2000);
  }
})();

let nextKill = Date.now() + KILL_EVERY * 1000;
while (loadRunning) {
  await Promise.race([wrkDone, sleep(1000)]);
  if (loadRunning && Date.now() >= nextKill) {
    await stopServer('SIGKILL');
    const down = await startServer();
    kills.push(down);
    log(`SIGKILL #${kills.length}; serving again after ${down.toFixed(1)} s`);
    nextKill = Date.now() + KILL_EVERY * 1000;
  }
}
clearInterval(sampler);
await abuser;
log('load ended');
await sleep(10000);  // in-flight requests, slow clients and deadlines settle
const after = sample();
log(`after the load: ${(after.rss / 2 ** 20).toFixed(0)} MiB, ${after.fds} descriptors (${after.sockets} sockets and pipes)`);

// Every acknowledged registration must be there, after a clean stop and a verify.
report.sigterm_s = await stopServer('SIGTERM');
const verify = spawnSync(BIN, ['verify', '--data', DATA], { encoding: 'utf8' });
report.verify = { exit: verify.status, last_line: (verify.stdout.trim().split('\n').pop() || '') };
log('verify:', verify.status === 0 ? 'ok' : 'FAILED', report.verify.last_line);
await startServer();
const acked = fs.readdirSync(ACKS).filter((f) => f.startsWith('acks-'))
  .flatMap((f) => fs.readFileSync(path.join(ACKS, f), 'utf8').split('\n').filter(Boolean));
const unique = [...new Set(acked)];
let found = 0, missing = 0, other = 0;
for (let i = 0; i < unique.length; i += 64) {
  const results = await Promise.all(unique.slice(i, i + 64).map((id) => api(reader, 'GET', `/v1/subjects/${id}/extract`)));
  for (const r of results) {
    if (r.status === 200) found++;
    else if (r.status === 404) missing++;
    else other++;
  }
  if (i % 8192 === 0) log(`checked ${i} of ${unique.length} acknowledged registrations`);
}
await stopServer('SIGTERM');

const statuses = {};
for (const f of fs.readdirSync(ACKS).filter((x) => x.startsWith('status-'))) {
  for (const line of fs.readFileSync(path.join(ACKS, f), 'utf8').split('\n').filter(Boolean)) {
    const [code, n] = line.split(' ');
    statuses[code] = (statuses[code] || 0) + Number(n);
  }
}
const requests = /(\d+) requests in/.exec(wrkOut);
const socketErrors = /Socket errors: (.*)/.exec(wrkOut);
Object.assign(report, {
  requests: requests ? Number(requests[1]) : null,
  answers_by_status: statuses,
  socket_errors: socketErrors ? socketErrors[1] : 'none',
  latency: Object.fromEntries([...wrkOut.matchAll(/^\s+(50|75|90|99)%\s+(\S+)/gm)].map((m) => [m[1], m[2]])),
  sigkills: kills.length, restart_seconds: kills,
  acknowledged_registrations: unique.length, found, lost: missing, unreadable: other,
  abuse, memory: { idle_mib: idle.rss / 2 ** 20, peak_mib: peak.rss / 2 ** 20, after_mib: after.rss / 2 ** 20 },
  descriptors: { idle: idle.fds, peak: peak.fds, after: after.fds },
  sockets_and_pipes: { idle: idle.sockets, peak: peak.sockets, after: after.sockets },
  table_and_log_files: { idle: idle.files, peak: peak.files, after: after.files }, load_at_end: os.loadavg(),
});
const okDescriptors = after.sockets <= idle.sockets;
report.ok = missing === 0 && other === 0 && verify.status === 0 && okDescriptors;
fs.writeFileSync(path.join(ART, 'report.json'), JSON.stringify(report, null, 2) + '\n');
fs.writeFileSync(path.join(ART, 'wrk.txt'), wrkOut);
const md = `| soak | ${MINUTES} min, ${CONNECTIONS} connections | ${report.requests} requests | ` +
  `${Object.entries(statuses).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${kills.length} SIGKILLs | ` +
  `${unique.length} acknowledged, ${missing + other} lost | verify ${verify.status === 0 ? 'ok' : 'failed'} | ` +
  `RSS idle/peak/after ${idle.rss >> 20}/${peak.rss >> 20}/${after.rss >> 20} MiB | ` +
  `sockets idle/peak/after ${idle.sockets}/${peak.sockets}/${after.sockets}, files ${idle.files}/${peak.files}/${after.files} |\n`;
fs.writeFileSync(path.join(ART, 'report.md'), md);
console.log(wrkOut);
console.log(JSON.stringify(report, null, 2));
fs.rmSync(work, { recursive: true, force: true });
process.exit(report.ok ? 0 : 1);
