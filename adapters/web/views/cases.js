// The case list: filters by unit and state (kept in the hash), every matching case fetched
// (GET /v1/cases pages of 500) so the list has a total, sortable columns and pages both ways;
// newest referral first by default. Search by name or personal identity number goes through
// POST /v1/cases/search (the query in the body, never in the URL; each search is recorded by the
// server like a lookup) for roles that may look people up.
import * as api from '../api.js';
import { h, table, timeEl, errorBox, notice, field, select } from '../dom.js';
import { t, code } from '../i18n.js';
import { loadWorkflows } from './workflows.js';

const PAGE = 50;  // rows a page; ?size= (10–200) changes it
const COLUMNS = [
  { key: 'case_id', label: 'col.case' },
  { key: 'unit', label: 'col.unit' },
  { key: 'state', label: 'col.state' },
  { key: 'version', label: 'col.version', num: true },
  { key: 'referred_at', label: 'col.referred_at' },
];

async function allCases(unit, st) {
  const out = [];
  let token = '';
  for (let i = 0; i < 200; i += 1) {
    const r = await api.get('/v1/cases' + api.query({ unit, state: st, page_token: token, limit: 500 }));
    out.push(...(r.cases || []));
    if (!r.next_page_token) break;
    token = r.next_page_token;
  }
  return out;
}

function compare(key) {
  return (a, b) => {
    const x = a[key], y = b[key];
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (key === 'state' || key === 'unit') return code(key, x).localeCompare(code(key, y), 'sv');
    return String(x).localeCompare(String(y));
  };
}

export async function renderCases(main, query, ctx) {
  const unit = query.get('unit') || '';
  const st = query.get('state') || '';
  const sort = COLUMNS.some((c) => c.key === query.get('sort')) ? query.get('sort') : 'referred_at';
  const dir = query.get('dir') === 'asc' ? 'asc' : (query.get('dir') === 'desc' ? 'desc' : (query.get('sort') ? 'asc' : 'desc'));
  const page = Math.max(1, Number.parseInt(query.get('page') || '1', 10) || 1);
  const sizeAsked = Number.parseInt(query.get('size') || '', 10);
  const size = sizeAsked >= 10 && sizeAsked <= 200 ? sizeAsked : PAGE;
  const keep = size === PAGE ? '' : size;
  const hashFor = () => '#/cases' + api.query({ unit, state: st });

  main.appendChild(h('h1', { tabindex: '-1' }, t('cases.title')));

  let states = ['referred', 'booked', 'unplanned', 'planned', 'studying', 'aborted', 'completed', 'closed'];
  try {
    const wf = await loadWorkflows();
    const all = [];
    for (const w of wf) for (const x of w.states || []) if (!all.includes(x)) all.push(x);
    if (all.length) states = all;
  } catch (_) { /* the fixed list of API.md */ }
  if (!ctx.isCurrent()) return;

  const unitChoices = ctx.caps.role === 'af_officer' && ctx.caps.unit ? [ctx.caps.unit] : (ctx.caps.units || []);
  const unitSel = select('unit', [['', t('cases.all')], ...unitChoices.map((u) => [u, code('unit', u)])], unit);
  unitSel.id = 'filter-unit';
  const stateSel = select('state', [['', t('cases.all')], ...states.map((x) => [x, code('state', x)])], st);
  stateSel.id = 'filter-state';
  const results = h('div', { id: 'case-results', 'aria-live': 'polite' }, notice(t('loading')));

  // Search by the person (roles that may look people up).
  if ((ctx.may || []).includes('lookup_subject')) {
    const q = h('input', { id: 'case-search', type: 'search', autocomplete: 'off', maxlength: '200' });
    main.appendChild(h('form', {
      class: 'filters', id: 'case-search-form', role: 'search', 'aria-label': t('cases.search'),
      onsubmit: async (ev) => {
        ev.preventDefault();
        const text = q.value.trim();
        if (!text) { ctx.navigate(hashFor()); return; }
        results.replaceChildren(notice(t('loading')));
        try {
          const r = await api.post('/v1/cases/search', { query: text, unit: unitSel.value || undefined, state: stateSel.value || undefined });
          const rows = (r.cases || []).slice().sort(compare('referred_at')).reverse();
          results.replaceChildren(
            h('p', { class: 'count', id: 'case-count', dataset: { total: String(r.total) } }, t('cases.search.count', { n: r.total })),
            rows.length ? caseTable(rows, null) : notice(t('cases.search.none')),
            h('p', h('a', { href: hashFor(), id: 'search-clear' }, t('cases.search.clear'))));
        } catch (e) {
          results.replaceChildren(errorBox(e));
        }
      },
    },
    field(t('cases.search.label'), q, t('cases.search.help')),
    h('button', { type: 'submit', id: 'case-search-submit' }, t('cases.search'))));
  }

  const form = h('form', {
    class: 'filters', id: 'case-filters', role: 'search', 'aria-label': t('cases.filters'),
    onsubmit: (ev) => {
      ev.preventDefault();
      ctx.navigate('#/cases' + api.query({ unit: unitSel.value, state: stateSel.value }));
    },
  },
  field(t('cases.unit'), unitSel),
  field(t('cases.state'), stateSel),
  h('button', { type: 'submit', id: 'filter-apply' }, t('cases.apply')));
  main.appendChild(form);
  main.appendChild(results);

  // The column headers sort (a link each, with aria-sort on the sorted one).
  function caseTable(rows, sorting) {
    const head = (c) => {
      if (!sorting) return t(c.label);
      const next = sort === c.key && dir === 'asc' ? 'desc' : 'asc';
      return h('a', {
        href: '#/cases' + api.query({ unit, state: st, sort: c.key, dir: next, size: keep }), class: 'sort-link', id: 'sort-' + c.key,
        'aria-label': t('cases.sort', { col: t(c.label) }) + (sort === c.key ? ` (${t(dir === 'asc' ? 'cases.sorted.asc' : 'cases.sorted.desc')})` : ''),
      }, t(c.label), sort === c.key ? h('span', { 'aria-hidden': 'true' }, dir === 'asc' ? ' ▲' : ' ▼') : null);
    };
    const cells = {
      case_id: (c) => h('a', { href: '#/cases/' + encodeURIComponent(c.case_id), class: 'case-link' }, c.case_id),
      unit: (c) => code('unit', c.unit),
      state: (c) => h('span', { class: 'state-tag state-' + c.state, dataset: { state: c.state } }, code('state', c.state)),
      version: (c) => String(c.version),
      referred_at: (c) => timeEl(c.referred_at),
    };
    const tbl = table(rows, COLUMNS.map((c) => ({ label: head(c), cell: cells[c.key], className: c.num ? 'num' : null })),
      { caption: t('cases.title'), className: 'cases-table' });
    if (sorting) {
      tbl.querySelectorAll('thead th').forEach((th, i) => {
        if (COLUMNS[i].key === sort) th.setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending');
      });
    }
    return tbl;
  }

  let cases;
  try {
    cases = await allCases(unit, st);
  } catch (e) {
    results.replaceChildren(errorBox(e));
    return;
  }
  if (!ctx.isCurrent()) return;
  if (!cases.length) {
    results.replaceChildren(notice(t('cases.empty')));
    return;
  }
  cases.sort(compare(sort));
  if (dir === 'desc') cases.reverse();
  const pages = Math.ceil(cases.length / size);
  const p = Math.min(page, pages);
  const from = (p - 1) * size;
  const shown = cases.slice(from, from + size);
  const link = (n) => '#/cases' + api.query({ unit, state: st, sort, dir, page: n > 1 ? n : '', size: keep });
  results.replaceChildren(
    h('p', { class: 'count', id: 'case-count', dataset: { total: String(cases.length) } },
      t('cases.total', { n: cases.length, from: from + 1, to: from + shown.length })),
    caseTable(shown, true));
  const pager = h('nav', { class: 'pager', 'aria-label': t('cases.pages') });
  if (p > 1) pager.appendChild(h('a', { href: link(p - 1), class: 'button secondary', id: 'prev-page' }, t('cases.prev')));
  if (pages > 1) pager.appendChild(h('span', { class: 'muted' }, t('cases.page', { p, n: pages })));
  if (p < pages) pager.appendChild(h('a', { href: link(p + 1), class: 'button', id: 'next-page' }, t('next.page')));
  if (pages > 1) results.appendChild(pager);
}
