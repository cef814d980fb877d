import * as api from '../api.js';
import { h, table, timeEl, errorBox, notice, field, select } from '../dom.js';
import { t, code } from '../i18n.js';
import { loadWorkflows } from './workflows.js';

export async function renderCases(main, query, ctx) {
  const unit = query.get('unit') || '';
  const st = query.get('state') || '';
  const pageToken = query.get('page_token') || '';

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

  const results = h('div', { id: 'case-results', 'aria-live': 'polite' }, notice(t('loading')));
  main.appendChild(results);
  let data;
  try {
    data = await api.get('/v1/cases' + api.query({ unit, state: st, page_token: pageToken, limit: 50 }));
  } catch (e) {
    results.replaceChildren(errorBox(e));
    return;
  }
  if (!ctx.isCurrent()) return;
  const cases = data.cases || [];
  if (!cases.length) {
    results.replaceChildren(notice(t('cases.empty')));
  } else {
    results.replaceChildren(
      h('p', { class: 'count' }, t('cases.count', { n: cases.length })),
      table(cases, [
        { label: t('col.case'), cell: (c) => h('a', { href: '#/cases/' + encodeURIComponent(c.case_id), class: 'case-link' }, c.case_id) },
        { label: t('col.unit'), cell: (c) => code('unit', c.unit) },
        { label: t('col.state'), cell: (c) => h('span', { class: 'state-tag state-' + c.state, dataset: { state: c.state } }, code('state', c.state)) },
        { label: t('col.version'), cell: (c) => String(c.version), className: 'num' },
        { label: t('col.referred_at'), cell: (c) => timeEl(c.referred_at) },
      ], { caption: t('cases.title'), className: 'cases-table' }));
  }
  const pager = h('div', { class: 'pager' });
  if (pageToken) pager.appendChild(h('a', { href: '#/cases' + api.query({ unit, state: st }), class: 'button secondary' }, t('first.page')));
  if (data.next_page_token) {
    pager.appendChild(h('a', {
      href: '#/cases' + api.query({ unit, state: st, page_token: data.next_page_token }), class: 'button', id: 'next-page',
    }, t('next.page')));
  }
  if (pager.childNodes.length) results.appendChild(pager);
}
