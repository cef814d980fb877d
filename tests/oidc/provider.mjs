#!/usr/bin/env node
// A real OpenID Connect provider (npm oidc-provider) on loopback for casetrail's sign-in tests.
//
//   node provider.mjs [--port N] [--issuer URL] [--keys FILE]
//
// Listens on 127.0.0.1 (port 0: any free one) and prints "issuer <URL>" and "listening <URL>" once
// it serves. The
// issuer is http://127.0.0.1:PORT unless --issuer names another (a test's impostor that claims a
// real issuer with keys of its own). Signing keys: an RSA key (RS256) and an EC P-256 key
// (ES256), read from --keys FILE, or made fresh and written there; starting again with another
// file is a key rotation.
//
// Accounts (password "test-password"), each signing in at the level of assurance ACR:
//   af-jarva   groups [casetrail-af-officer], unit jarva
//   af-globen  groups [casetrail-af-officer], unit globen
//   syv-1      groups [casetrail-syv]
//   nobody     no group casetrail maps
// Clients:
//   casetrail-web         the web UI's confidential client (secret "web-client-secret"), code + PKCE
//   casetrail-web-public  the same as a public client (PKCE only)
//   casetrail-cli         a public client the tests use to get API access tokens (JWT, RS256)
//   casetrail-cli-es256   the same, access tokens signed ES256
//   casetrail-cli-short   the same, access tokens that live 1 second
// Access tokens are JWTs for the resource urn:casetrail:api (or urn:other:api, a wrong audience)
// and carry groups, unit, acr and amr as an organisation's provider would.
import fs from 'node:fs';
import http from 'node:http';
import crypto from 'node:crypto';
import { URLSearchParams } from 'node:url';
import Provider, { errors } from 'oidc-provider';
import { ACR, AMR, PASSWORD } from './provider-constants.mjs';




const RESOURCES = ['urn:casetrail:api', 'urn:other:api'];

const ACCOUNTS = {
  'af-jarva': { groups: ['casetrail-af-officer'], unit: 'jarva' },
  'af-globen': { groups: ['casetrail-af-officer'], unit: 'globen' },
  'syv-1': { groups: ['casetrail-syv'] },
  nobody: { groups: ['other-system-users'] },
};

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function makeKeys() {
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const id = crypto.randomBytes(6).toString('hex');
  return { keys: [{ ...rsa, kid: `rsa-${id}`, alg: 'RS256', use: 'sig' }, { ...ec, kid: `ec-${id}`, alg: 'ES256', use: 'sig' }] };
}

function loadKeys(file) {
  if (file && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const jwks = makeKeys();
  if (file) fs.writeFileSync(file, JSON.stringify(jwks), { mode: 0o600 });
  return jwks;
}

const port = Number(arg('--port', '0'));
const jwks = loadKeys(arg('--keys', ''));

const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = arg('--issuer', `http://127.0.0.1:${server.address().port}`);

const loopbackRedirect = (path) => [`http://127.0.0.1${path}`];
const cli = (id) => ({
  client_id: id, token_endpoint_auth_method: 'none', application_type: 'native',
  redirect_uris: loopbackRedirect('/cb'), grant_types: ['authorization_code'], response_types: ['code'],
});

const provider = new Provider(issuer, {
  clients: [
    {
      // Native: a loopback redirect URI matches on any port (RFC 8252 §7.3), so casetrail may
      // listen on an ephemeral port.
      client_id: 'casetrail-web', client_secret: 'web-client-secret', application_type: 'native',
      redirect_uris: loopbackRedirect('/auth/callback'), grant_types: ['authorization_code'], response_types: ['code'],
    },
    {
      client_id: 'casetrail-web-public', token_endpoint_auth_method: 'none', application_type: 'native',
      redirect_uris: loopbackRedirect('/auth/callback'), grant_types: ['authorization_code'], response_types: ['code'],
    },
    cli('casetrail-cli'), cli('casetrail-cli-es256'), cli('casetrail-cli-short'),
  ],
  jwks,
  cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
  pkce: { required: () => true, methods: ['S256'] },
  acrValues: [ACR],
  // acr and amr always in the ID token, as the Swedish providers put them.
  claims: { acr: null, amr: null, auth_time: null, sid: null, openid: ['sub', 'acr', 'amr', 'auth_time'], casetrail: ['groups', 'unit'] },
  conformIdTokenClaims: false, // the casetrail scope's claims in the ID token
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => false,
      getResourceServerInfo: (ctx, resource, client) => {
        if (!RESOURCES.includes(resource)) throw new errors.InvalidTarget();
        return {
          scope: 'api',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: client.clientId === 'casetrail-cli-short' ? 1 : 600,
          jwt: { sign: { alg: client.clientId === 'casetrail-cli-es256' ? 'ES256' : 'RS256' } },
        };
      },
    },
  },
  // What the account's organisation says about it, in access tokens as in ID tokens.
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
    const code = ctx.oidc.entities.AuthorizationCode;
    return { ...ACCOUNTS[token.accountId], acr: code?.acr, amr: code?.amr };
  },
  async findAccount(ctx, id) {
    if (!ACCOUNTS[id]) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id] }) };
  },
  // First-party clients: everything asked for is granted, no consent screen.
  async loadExistingGrant(ctx) {
    const { client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (grantId) {
      const found = await ctx.oidc.provider.Grant.find(grantId);
      if (found) return found;
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope('openid casetrail');
    for (const r of RESOURCES) grant.addResourceScope(r, 'api');
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'text/plain';
    ctx.body = `error: ${out.error}`;
  },
});
provider.proxy = false;

function page(uid, message) {
  return `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Testleverantör</title></head><body>
<h1>Organisationens inloggning (test)</h1>${message ? `<p role="alert">${message}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label>Användarnamn <input id="username" name="username" autocomplete="off"></label>
<label>Lösenord <input id="password" name="password" type="password"></label>
<button id="provider-login" type="submit">Logga in</button></form></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const handler = provider.callback();
const stats = { jwks: 0 }; // what the tests ask at GET /test/stats
server.on('request', async (req, res) => {
  try {
    if (req.url === '/jwks') stats.jwks += 1;
    if (req.url === '/test/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify(stats));
    }
    const m = /^\/interaction\/([^/]+)(\/login)?$/.exec(req.url.split('?')[0]);
    if (!m) return handler(req, res);
    const details = await provider.interactionDetails(req, res);
    if (!m[2] && details.prompt.name === 'consent') {
      // Native clients are always asked (RFC 8252): first-party, so granted without a screen.
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      grant.addOIDCScope('openid casetrail');
      for (const r of RESOURCES) grant.addResourceScope(r, 'api');
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    if (!m[2]) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(page(details.uid));
    }
    const form = await readForm(req);
    const account = form.get('username');
    if (!ACCOUNTS[account] || form.get('password') !== PASSWORD) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(page(details.uid, 'Fel användarnamn eller lösenord'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: account, acr: ACR, amr: AMR } },
      { mergeWithLastSubmission: false });
  } catch (e) {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end(`interaction failed: ${e.message}`);
  }
});

// A test that read the issuer line may close the pipe: later warnings must not kill the provider.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
console.log(`issuer ${issuer}\nlistening http://127.0.0.1:${server.address().port}`);
// Nothing to flush: keep-alive connections (a browser's) must not hold the exit up.
const stop = () => {
  server.closeAllConnections?.();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
