// The monthly meeting of an AF unit (DOMAIN §3, step 8): the generated list of the month
// (GET /v1/lists/monthly) with what the meeting needs per case (GET /v1/lists/monthly/rows: the
// name where the read rules show it — the API records that read —, the application and study-plan
// status in words, the days since the referral) and each case's state, recording the meeting (POST /v1/meetings:
// date and attendees), and the review of each listed case (RecordMonthlyReview with the list
// as the meeting reference, a joint plan and a note), sent with the case's expected_version.

import * as api from '../api.js';
import { h, clear, table, timeEl, errorBox, notice, field, section, select } from '../dom.js';
import { t, code, stockholmDate } from '../i18n.js';
import { latestWorkflow, loadModel } from './workflows.js';
import { commandForm, meetingName, codeText } from '../commands.js';

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

// The application and study-plan status of a row of GET /v1/lists/monthly/rows, in words; a case
// the reader may no longer see (transferred, erased) says so.
function applicationText(r) {
  if (r.visible === false) return t('meeting.not_visible');
  if (!r.application) return t('meeting.no_application');
  const a = r.application;
  return t('meeting.applied', { date: a.submitted_on, level: a.level ? codeText('level', a.level) : t('none') })
    + (a.term_start ? ' ' + t('meeting.term_start', { date: a.term_start }) : '');
}

function planText(r) {
  if (r.visible === false) return t('meeting.not_visible');
  if (!r.study_plan) return t('meeting.no_plan');
  return t(r.study_plan.revised ? 'meeting.plan_revised' : 'meeting.plan_made', { date: r.study_plan.made_on });
}

export async function unitCases(unit) {
  const out = new Map();
  let token = '';
  for (let i = 0; i < 20; i += 1) {
    const r = await api.get('/v1/cases' + api.query({ unit, limit: 500, page_token: token }));
    for (const c of r.cases || []) out.set(c.case_id, c);
    if (!r.next_page_token) break;
    token = r.next_page_token;
  }
  return out;
}

export async function renderMeeting(main, query, ctx) {
  main.appendChild(h('h1', { tabindex: '-1' }, t('meeting.title')));
  main.appendChild(h('p', { class: 'help' }, t('meeting.intro')));
  const units = ctx.caps.listUnits || [];
  const unit = units.includes(query.get('unit')) ? query.get('unit') : (ctx.caps.unit && units.includes(ctx.caps.unit) ? ctx.caps.unit : units[0]);
  const month = MONTH_RE.test(query.get('month') || '') ? query.get('month') : stockholmDate(new Date().toISOString()).slice(0, 7);

  const unitSel = select('unit', units.map((u) => [u, code('unit', u)]), unit);
  unitSel.id = 'meeting-unit';
  const monthIn = h('input', { id: 'meeting-month', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: month, placeholder: t('ph.month'), size: '8', pattern: '\\d{4}-\\d{2}' });
  main.appendChild(h('form', {
    class: 'filters', id: 'meeting-filters', 'aria-label': t('meeting.show'),
    onsubmit: (ev) => {
      ev.preventDefault();
      ctx.navigate('#/meeting' + api.query({ unit: unitSel.value, month: monthIn.value.trim() }));
    },
  }, field(t('meeting.unit'), unitSel), field(t('meeting.month'), monthIn), h('button', { type: 'submit', id: 'meeting-show' }, t('meeting.show'))));
  if (!unit) return;

  const [listRes, casesRes, meetingsRes, wf, model, rowsRes] = await Promise.allSettled([
    api.get('/v1/lists/monthly' + api.query({ unit, month })),
    unitCases(unit),
    api.get('/v1/meetings' + api.query({ unit })),
    latestWorkflow(),
    loadModel(),
    api.get('/v1/lists/monthly/rows' + api.query({ unit, month })),
  ]);
  if (!ctx.isCurrent()) return;

  // Recording the meeting: date and attendees.
  const held = h('input', { id: 'meeting-held-on', type: 'text', inputmode: 'numeric', autocomplete: 'off', value: stockholmDate(new Date().toISOString()), placeholder: t('ph.date'), size: '11' });
  const people = h('input', { id: 'meeting-participants', type: 'text', autocomplete: 'off', value: ctx.caps.id || '' });
  const recStatus = h('div', { id: 'meeting-status', 'aria-live': 'polite' });
  const recForm = h('form', {
    id: 'meeting-form', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      clear(recStatus);
      const participants = people.value.split(',').map((x) => x.trim()).filter(Boolean);
      if (!DATE_RE.test(held.value.trim())) {
        held.setAttribute('aria-invalid', 'true');
        recStatus.appendChild(notice(t('form.bad_date'), 'error'));
        held.focus();
        return;
      }
      held.removeAttribute('aria-invalid');
      try {
        await api.post('/v1/meetings', { unit, kind: 'monthly', held_on: held.value.trim(), participants });
        sessionStorage.setItem('casetrail.notice', t('meeting.recorded'));
        ctx.navigate(location.hash);
      } catch (e) {
        recStatus.appendChild(errorBox(e));
      }
    },
  },
  field(t('meeting.held_on'), held, t('form.date.help', { example: stockholmDate(new Date().toISOString()) })),
  field(t('meeting.participants'), people, t('meeting.participants.help')),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', id: 'meeting-record' }, t('meeting.record'))),
  recStatus);
  const done = sessionStorage.getItem('casetrail.notice');
  if (done) {
    sessionStorage.removeItem('casetrail.notice');
    const p = h('p', { class: 'notice', role: 'status', id: 'meeting-done', tabindex: '-1' }, done);
    main.appendChild(p);
    ctx.focusAfter = p;
  }

  const heldBox = h('div', { id: 'meetings-held' });
  if (meetingsRes.status === 'rejected') heldBox.appendChild(errorBox(meetingsRes.reason));
  else {
    const ms = (meetingsRes.value.meetings || []).slice().sort((a, b) => String(b.held_on).localeCompare(String(a.held_on)));
    heldBox.appendChild(ms.length ? table(ms, [
      { label: t('col.held_on'), cell: (m) => m.held_on || t('none') },
      { label: t('col.kind'), cell: (m) => meetingName(m.meeting || '') || t('none') },
      { label: t('col.participants'), cell: (m) => (m.participants || []).join(', ') },
    ], { caption: t('meeting.held'), className: 'meetings-table' }) : notice(t('meeting.none_held')));
  }
  main.appendChild(section(t('meeting.record'), recForm, heldBox));

  // The list and each case's review.
  const listBox = h('div', { id: 'meeting-list' });
  if (listRes.status === 'rejected') {
    listBox.appendChild(listRes.reason.status === 404 ? notice(t('meeting.not_listed')) : errorBox(listRes.reason));
    main.appendChild(section(meetingName(`monthly:${unit}:${month}`), listBox));
    return;
  }
  const list = listRes.value;
  const known = casesRes.status === 'fulfilled' ? casesRes.value : new Map();
  const review = wf.status === 'fulfilled' && wf.value && (wf.value.commands || []).find((c) => c.name === 'RecordMonthlyReview');
  const reviewable = new Set((review && review.from) || []);
  const extra = new Map();
  if (rowsRes.status === 'fulfilled') for (const r of rowsRes.value.rows || []) extra.set(r.case_id, r);
  else listBox.appendChild(errorBox(rowsRes.reason));
  const rows = (list.cases || []).map((c) => ({ ...c, now: known.get(c.case_id), row: extra.get(c.case_id) || {} }));
  listBox.appendChild(h('p', { class: 'help' }, t('lists.generated_at') + ': ', timeEl(list.generated_at), ' · ', t('lists.since') + ': ' + (list.since || t('none'))));
  listBox.appendChild(rows.length ? table(rows, [
    { label: t('col.case'), cell: (c) => h('a', { href: '#/cases/' + encodeURIComponent(c.case_id), class: 'case-link' }, c.case_id) },
    { label: t('col.name'), cell: (c) => h('span', { class: 'row-name' }, c.row.name || t('meeting.name_hidden')) },
    { label: t('col.state'), cell: (c) => code('state', (c.now && c.now.state) || c.state) },
    { label: t('col.referred_at'), cell: (c) => timeEl(c.referred_at) },
    { label: t('col.days_since_referral'), cell: (c) => h('span', { class: 'row-days' }, c.row.days_since_referral === undefined ? t('none') : String(c.row.days_since_referral)) },
    { label: t('col.application'), cell: (c) => h('span', { class: 'row-application' }, applicationText(c.row)) },
    { label: t('col.study_plan'), cell: (c) => h('span', { class: 'row-plan' }, planText(c.row)) },
    { label: t('col.carried_over'), cell: (c) => (c.carried_over ? t('yes') : t('no')) },
    {
      label: t('col.actions'),
      cell: (c) => {
        const st = (c.now && c.now.state) || c.state;
        if (!review || !reviewable.has(st) || !(review.roles || []).includes(ctx.caps.role) || !c.now) return t('none');
        const form = commandForm(review, wf.value, model.status === 'fulfilled' ? model.value : {}, {
          caseId: c.case_id, version: c.now.version, unit, skip: { meeting: list.list_id }, idPrefix: 'review-' + c.case_id,
          onDone: () => {
            form.replaceWith(h('p', { class: 'notice', role: 'status', id: 'reviewed-' + c.case_id, tabindex: '-1' }, t('meeting.reviewed')));
            main.querySelector('#reviewed-' + CSS.escape(c.case_id)).focus();
          },
        });
        return h('details', { class: 'command' }, h('summary', { id: 'open-review-' + c.case_id }, t('meeting.case_outcome', { id: c.case_id })), form);
      },
    },
  ], { caption: meetingName(list.list_id), className: 'meeting-table', rowAttrs: (c) => ({ dataset: { case: c.case_id } }) }) : notice(t('lists.empty')));
  main.appendChild(section(meetingName(list.list_id), listBox));
}
