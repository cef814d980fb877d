import * as api from '../api.js';

// GET /v1/workflows once per page load; the revisions are immutable.
let cache = null;

export async function loadWorkflows() {
  if (!cache) {
    cache = api.get('/v1/workflows').then((d) => d.workflows || []).catch((e) => { cache = null; throw e; });
  }
  return cache;
}

export async function workflow(revision) {
  const all = await loadWorkflows();
  return all.find((w) => w.revision === revision) || null;
}
