// The start page of the roles that handle cases: what is due for the user, the most overdue
// first. GET /v1/work gives the reminders that are due and still hold, the bookings whose time
// passed without an outcome and the progression feedback due on published quarterly lists; then
// "my cases" (GET /v1/cases?mine=true) and the states to follow up (GET /v1/cases?state=).
// Everything is ids, states, units and times: no personal data.

import * as api from '../api.js';
import { h, table, timeEl, errorBox, notice, section } from '../dom.js';
import { t, code, stockholmDate } from '../i18n.js';
import { meetingName } from '../commands.js';
import { latestWorkflow } from './workflows.js';

// The states to follow up, and the timer (workflow definition) that makes each overdue.
const QUEUES = [
  { key: 'start.to_book', state: 'referred', dueDays: 14, roles: ['syv', 'af_officer'] },
  { key: 'start.unplanned', state: 'unplanned', dueDays: 30, roles: ['syv', 'af_officer'] },
  { key: 'start.planned', state: 'planned', roles: ['syv', 'af_officer'] },
];
const SHOWN = 10;

function dueAt(c, days) {
  if (!days || !c.referred_at) return null;
  return new Date(new Date(c.referred_at).getTime() + days * 86400000).toISOString();
}

const caseLink = (c) => h('a', { href: '#/cases/' + encodeURIComponent(c.case_id), class: 'case-link' }, c.case_id);
const stateTag = (c) => h('span', { class: 'state-tag', dataset: { state: c.state } }, code('state', c.state));

function caseTable(rows, withDue, caption) {
  return table(rows, [
    { label: t('col.case'), cell: caseLink },
    { label: t('col.unit'), cell: (c) => code('unit', c.unit) },
    { label: t('col.state'), cell: stateTag },
    { label: t('col.referred_at'), cell: (c) => timeEl(c.referred_at) },
    ...(withDue ? [{ label: t('col.due_at'), cell: (c) => (c.due ? stockholmDate(c.due) : t('none')) }] : []),
  ], { caption, className: 'start-table' });
}

// The first SHOWN rows, and a button that shows the rest in place.
function limited(rows, build, id) {
  const box = h('div', { id });
  const draw = (all) => {
    box.replaceChildren(build(all ? rows : rows.slice(0, SHOWN)));
    box.dataset.count = String(rows.length);
    if (!all && rows.length > SHOWN) {
      const more = h('button', { type: 'button', class: 'secondary show-all', id: id + '-all', 'aria-controls': id }, t('start.more', { n: rows.length }));
      more.addEventListener('click', () => {
        draw(true);
        const first = box.querySelector('tbody tr:nth-child(' + (SHOWN + 1) + ') a');
        if (first) first.focus();
      });
      box.appendChild(h('p', more));
    }
  };
  if (!rows.length) {
    box.dataset.count = '0';
    box.appendChild(notice(t('start.none')));
  } else draw(false);
  return box;
}

const rowAttrs = (tableEl, rows) => {
  // Each row names its case, for the reader's scripts and tests (no personal data).
  tableEl.querySelectorAll('tbody tr').forEach((tr, i) => { tr.dataset.case = rows[i].case_id; });
  return tableEl;
};

function reminderTable(rows) {
  return rowAttrs(table(rows, [
    { label: t('col.due_at'), cell: (r) => timeEl(r.due_at) },
    { label: t('col.kind'), cell: (r) => code('reminder', r.kind) },
    { label: t('col.case'), cell: caseLink },
    { label: t('col.unit'), cell: (r) => code('unit', r.unit) },
    { label: t('col.state'), cell: stateTag },
  ], { caption: t('start.reminders'), className: 'start-table' }), rows);
}

function bookingTable(rows) {
  return rowAttrs(table(rows, [
    { label: t('col.slot'), cell: (r) => timeEl(r.slot) },
    { label: t('col.case'), cell: caseLink },
    { label: t('col.unit'), cell: (r) => code('unit', r.unit) },
    { label: t('col.next'), cell: () => t('start.passed.next') },
  ], { caption: t('start.passed'), className: 'start-table' }), rows);
}

function feedbackTable(rows, caption) {
  const listHref = (r) => {
    const q = /^progression:([a-z]+):(\d{4}-Q[1-4])$/.exec(r.list_id);
    return '#/lists' + api.query({ kind: 'progression', unit: q ? q[1] : r.list_unit, quarter: q ? q[2] : '' });
  };
  return rowAttrs(table(rows, [
    { label: t('col.published_at'), cell: (r) => stockholmDate(r.published_at) },
    { label: t('col.list'), cell: (r) => h('a', { href: listHref(r), class: 'list-link' }, meetingName(r.list_id)) },
    { label: t('col.case'), cell: caseLink },
    { label: t('col.unit'), cell: (r) => code('unit', r.unit) },
  ], { caption, className: 'start-table' }), rows);
}

// Whether the role answers the quarterly list itself (the definition's command that records the
// feedback lists the role) or waits for the answer.
async function answersFeedback(role) {
  try {
    const wf = await latestWorkflow();
    return ((wf && wf.commands) || []).some((c) => (c.roles || []).includes(role)
      && ((c.outcomes || []).some((o) => (o.emits || []).some((e) => e.event === 'ProgressionFeedbackRecorded'))));
  } catch (_) { return false; }
}

export async function renderStart(main, query, ctx) {
  main.appendChild(h('h1', { tabindex: '-1' }, t('start.title')));
  main.appendChild(h('p', { class: 'help' }, t('start.intro')));
  const queues = QUEUES.filter((q) => q.roles.includes(ctx.caps.role));
  const mineUrl = '/v1/cases' + api.query({ mine: 'true', limit: 200 });
  const calls = [api.get('/v1/work'), api.get(mineUrl), answersFeedback(ctx.caps.role),
    ...queues.map((q) => api.get('/v1/cases' + api.query({ state: q.state, limit: 500 })))];
  const answers = await Promise.allSettled(calls);
  if (!ctx.isCurrent()) return;

  const [work, mine, feedbackRole, ...rest] = answers;
  const due = (key, id, build) => {
    if (work.status === 'rejected') return h('div', { id }, errorBox(work.reason));
    return limited(work.value[key] || [], build, id);
  };
  const feedbackTitle = feedbackRole.value ? t('start.feedback') : t('start.feedback.waiting');
  main.appendChild(section(t('start.reminders'), h('p', { class: 'help' }, t('start.reminders.help')),
    due('reminders', 'start-reminders', reminderTable)));
  main.appendChild(section(t('start.passed'), due('passed_bookings', 'start-passed', bookingTable)));
  main.appendChild(section(feedbackTitle, due('feedback_due', 'start-feedback', (rows) => feedbackTable(rows, feedbackTitle))));

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
