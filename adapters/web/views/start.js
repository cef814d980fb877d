// The start page of the roles that handle cases: what waits for the user, by what the workflow
// says comes next in each state, the oldest (most overdue) first. Everything comes from
// GET /v1/cases (?mine=true, ?state=): ids, states, units and times only, no personal data.

import * as api from '../api.js';
import { h, table, timeEl, errorBox, notice, section } from '../dom.js';
import { t, code, stockholmDate } from '../i18n.js';

// The states to follow up, and the timer (workflow definition) that makes each overdue.
const QUEUES = [
  { key: 'start.to_book', state: 'referred', dueDays: 14, roles: ['syv', 'af_officer'] },
  { key: 'start.booked', state: 'booked', roles: ['syv'] },
  { key: 'start.unplanned', state: 'unplanned', dueDays: 30, roles: ['syv', 'af_officer'] },
  { key: 'start.planned', state: 'planned', roles: ['syv', 'af_officer'] },
  { key: 'start.studying', state: 'studying', roles: ['syv'] },
];
const SHOWN = 10;

function dueAt(c, days) {
  if (!days || !c.referred_at) return null;
  return new Date(new Date(c.referred_at).getTime() + days * 86400000).toISOString();
}

function caseTable(rows, withDue, caption) {
  return table(rows, [
    { label: t('col.case'), cell: (c) => h('a', { href: '#/cases/' + encodeURIComponent(c.case_id), class: 'case-link' }, c.case_id) },
    { label: t('col.unit'), cell: (c) => code('unit', c.unit) },
    { label: t('col.state'), cell: (c) => h('span', { class: 'state-tag', dataset: { state: c.state } }, code('state', c.state)) },
    { label: t('col.referred_at'), cell: (c) => timeEl(c.referred_at) },
    ...(withDue ? [{ label: t('col.due_at'), cell: (c) => (c.due ? stockholmDate(c.due) : t('none')) }] : []),
  ], { caption, className: 'start-table' });
}

export async function renderStart(main, query, ctx) {
  main.appendChild(h('h1', { tabindex: '-1' }, t('start.title')));
  main.appendChild(h('p', { class: 'help' }, t('start.intro')));
  const queues = QUEUES.filter((q) => q.roles.includes(ctx.caps.role));
  const mineUrl = '/v1/cases' + api.query({ mine: 'true', limit: 200 });
  const calls = [api.get(mineUrl), ...queues.map((q) => api.get('/v1/cases' + api.query({ state: q.state, limit: 500 })))];
  const answers = await Promise.allSettled(calls);
  if (!ctx.isCurrent()) return;

  const [mine, ...rest] = answers;
  const open = (rows) => rows.filter((c) => !['completed', 'closed'].includes(c.state));
  const mineBox = h('div', { id: 'start-mine' });
  if (mine.status === 'rejected') mineBox.appendChild(errorBox(mine.reason));
  else {
    const rows = open(mine.value.cases || []).sort((a, b) => String(a.referred_at).localeCompare(String(b.referred_at)));
    mineBox.appendChild(rows.length ? caseTable(rows, false, t('start.mine')) : notice(t('start.none')));
  }
  main.appendChild(section(t('start.mine'), mineBox));

  queues.forEach((q, i) => {
    const box = h('div', { id: 'start-' + q.state, dataset: { state: q.state } });
    const r = rest[i];
    if (r.status === 'rejected') box.appendChild(errorBox(r.reason));
    else {
      const rows = (r.value.cases || []).map((c) => ({ ...c, due: dueAt(c, q.dueDays) }))
        .sort((a, b) => String(a.due || a.referred_at).localeCompare(String(b.due || b.referred_at)));
      if (!rows.length) box.appendChild(notice(t('start.none')));
      else {
        box.appendChild(caseTable(rows.slice(0, SHOWN), !!q.dueDays, t(q.key)));
        if (rows.length > SHOWN || r.value.next_page_token) {
          box.appendChild(h('p', h('a', { href: '#/cases' + api.query({ state: q.state }) }, t('start.more', { n: rows.length + (r.value.next_page_token ? '+' : '') }))));
        }
      }
    }
    main.appendChild(section(t(q.key), box));
  });
}
