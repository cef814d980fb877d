// The reminders the workers derive, fire and deliver (GET /v1/reminders): for the worker, admin
// and compliance roles, to see what is due, what was sent, and where delivery stands.
import * as api from '../api.js';
import { h, table, timeEl, errorBox, notice, field, select } from '../dom.js';
import { t, code } from '../i18n.js';

// "action" (the default) is what needs someone: due reminders and those whose delivery failed
// (dead-lettered on a channel). Every list is shown newest first.
const STATUSES = ['action', 'all', 'scheduled', 'due', 'sent', 'cancelled'];

const failed = (r) => Object.values(r.delivery || {}).some((d) => d.state === 'dead_lettered');
const newestFirst = (a, b) => String(b.due_at || '').localeCompare(String(a.due_at || '')) || String(b.id).localeCompare(String(a.id));

async function needingAction() {
  const [due, sent] = await Promise.all([
    api.get('/v1/reminders' + api.query({ status: 'due', limit: 5000 })),
    api.get('/v1/reminders' + api.query({ status: 'sent', limit: 5000 })),
  ]);
  return { reminders: [...(due.reminders || []), ...(sent.reminders || []).filter(failed)], next_page_token: null };
}

// "webhook: delivered (1 attempt)" per channel; "—" before any channel is configured.
function deliveryText(delivery) {
  const parts = Object.entries(delivery || {}).map(([channel, d]) => {
    const attempts = t('reminders.attempts', { n: d.attempts });
    const doubt = d.in_doubt ? ', ' + t('reminders.in_doubt', { n: d.in_doubt }) : '';
    return `${code('channel', channel)}: ${code('delivery', d.state)} (${attempts}${doubt})`;
  });
  return parts.length ? parts.join('; ') : t('none');
}

// The reminders table; `withCase` adds the case column (a link for roles that read cases).
export function reminderTable(rows, ctx, { withCase } = {}) {
  const caseCell = (r) => (ctx.caps.cases
    ? h('a', { href: '#/cases/' + encodeURIComponent(r.case_id), class: 'case-link' }, r.case_id)
    : r.case_id);
  return table(rows, [
    { label: t('col.due_at'), cell: (r) => (r.due_at ? timeEl(r.due_at) : t('none')) },
    { label: t('col.kind'), cell: (r) => code('reminder', r.kind) },
    ...(withCase ? [{ label: t('col.case'), cell: caseCell }] : []),
    { label: t('col.status'), cell: (r) => h('span', { class: 'state-tag', dataset: { status: r.status } }, code('rstatus', r.status)) },
    { label: t('col.sent_at'), cell: (r) => (r.sent_at ? timeEl(r.sent_at) : t('none')) },
    { label: t('col.delivery'), cell: (r) => h('span', { class: failed(r) ? 'delivery-failed' : null }, deliveryText(r.delivery)) },
  ], { caption: t('reminders.title'), className: 'reminders-table' });
}

export async function renderReminders(main, query, ctx) {
  main.appendChild(h('h1', { tabindex: '-1' }, t('reminders.title')));
  const status = STATUSES.includes(query.get('status')) ? query.get('status') : 'action';
  const pageToken = query.get('page_token') || '';
  const statusSel = select('status', STATUSES.map((s) => [s, s === 'all' ? t('cases.all') : code('rstatus', s)]), status);
  main.appendChild(h('p', { class: 'help' }, t('reminders.order')));
  statusSel.id = 'reminder-status';
  main.appendChild(h('form', {
    class: 'filters', id: 'reminder-filters', role: 'search', 'aria-label': t('reminders.filters'),
    onsubmit: (ev) => {
      ev.preventDefault();
      ctx.navigate('#/reminders' + api.query({ status: statusSel.value }));
    },
  },
  field(t('reminders.status'), statusSel),
  h('button', { type: 'submit', id: 'reminder-apply' }, t('cases.apply'))));

  const results = h('div', { id: 'reminder-results', 'aria-live': 'polite' }, notice(t('loading')));
  main.appendChild(results);
  let data;
  try {
    data = status === 'action' ? await needingAction()
      : await api.get('/v1/reminders' + api.query({ status, page_token: pageToken, limit: 200 }));
  } catch (e) {
    results.replaceChildren(errorBox(e));
    return;
  }
  if (!ctx.isCurrent()) return;
  const rows = (data.reminders || []).slice().sort(newestFirst);
  if (!rows.length) {
    results.replaceChildren(notice(t('reminders.empty')));
    return;
  }
  results.replaceChildren(
    h('p', { class: 'count' }, t(data.next_page_token || pageToken ? 'reminders.count.page' : 'reminders.count', { n: rows.length })),
    reminderTable(rows, ctx, { withCase: true }));
  const pager = h('div', { class: 'pager' });
  if (pageToken) pager.appendChild(h('a', { href: '#/reminders' + api.query({ status }), class: 'button secondary' }, t('first.page')));
  if (data.next_page_token) {
    pager.appendChild(h('a', {
      href: '#/reminders' + api.query({ status, page_token: data.next_page_token }), class: 'button', id: 'next-page',
    }, t('next.page')));
  }
  if (pager.childNodes.length) results.appendChild(pager);
}
