import * as api from '../api.js';

// GET /v1/workflows once per page load; the revisions are immutable.
let cache = null;

function load() {
  if (!cache) cache = api.get('/v1/workflows').catch((e) => { cache = null; throw e; });
  return cache;
}

export async function loadWorkflows() {
  return (await load()).workflows || [];
}

// The workflow model in force: roles and their `may`, units, consent scopes and methods.
export async function loadModel() {
  return (await load()).model || {};
}

export async function workflow(revision) {
  const all = await loadWorkflows();
  return all.find((w) => w.revision === revision) || null;
}

// The newest revision: the one new referrals get.
export async function latestWorkflow() {
  const all = await loadWorkflows();
  return all[all.length - 1] || null;
}
