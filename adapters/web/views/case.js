import * as api from '../api.js';
import { h, clear, fieldList, value, timeEl, errorBox, notice, section, field, isRedacted, isErased, redactedBadge, erasedBadge } from '../dom.js';
import { t, code, formatTime, stockholmDate, stockholmToUtc, stockholmLocal } from '../i18n.js';
import { stateDiagram, transitionTable } from '../diagram.js';
import { workflow, loadModel } from './workflows.js';
import { commandPanel, commandLabel } from '../commands.js';
import { reminderTable } from './reminders.js';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

// The time-travel field ("YYYY-MM-DD HH:MM", Stockholm time; or a date) → RFC 3339 in UTC.
export function localToRfc3339(v) {
  if (!v) return '';
  if (DATE_RE.test(v.trim())) return v.trim();
  return stockholmToUtc(v) || v;
}

function rfc3339ToLocal(v) {
  if (!v) return '';
  if (DATE_RE.test(v)) return v + ' 23:59';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  return stockholmLocal(d.toISOString());
}

// "study-referral@2" in words.
export function revisionText(rev) {
  const m = /@(\d+)$/.exec(rev || '');
  return m ? t('case.revision.words', { n: m[1] }) : (rev || t('none'));
}

// Whether an event is part of the view at (as_of, valid_at), as the API folds it: recorded by
// as_of (a date: the end of that Stockholm day), effective by valid_at.
function included(ev, asOf, validAt) {
  const within = (iso, bound) => {
    if (!bound) return true;
    if (DATE_RE.test(bound)) return stockholmDate(iso) <= bound;
    return new Date(iso).getTime() <= new Date(bound).getTime();
  };
  return within(ev.recorded_at, asOf) && within(ev.effective_at, validAt);
}

function subjectBlock(subject) {
  if (isErased(subject)) return h('div', { id: 'subject', dataset: { subject: 'erased' } }, erasedBadge());
  if (isRedacted(subject)) return h('div', { id: 'subject', dataset: { subject: 'redacted' } }, redactedBadge());
  if (!subject || typeof subject !== 'object') return h('div', { id: 'subject' }, t('none'));
  const contact = subject.contact;
  let contactEl;
  if (isErased(contact) || isRedacted(contact)) contactEl = value(contact);
  else if (contact && typeof contact === 'object') {
    contactEl = h('span', [
      contact.phone ? `${t('case.phone')}: ${contact.phone}` : null,
      contact.phone && contact.email ? ' · ' : null,
      contact.email ? `${t('case.email')}: ${contact.email}` : null,
    ].filter(Boolean));
    if (!contact.phone && !contact.email) contactEl = document.createTextNode(t('none'));
  } else contactEl = value(contact);
  return h('div', { id: 'subject', dataset: { subject: 'shown' } },
    h('dl', { class: 'fields' },
      h('div', { class: 'field' }, h('dt', t('case.name')), h('dd', { class: 'subject-name' }, value(subject.name))),
      h('div', { class: 'field' }, h('dt', t('case.personal_number')), h('dd', { class: 'subject-pnr' }, value(subject.personal_number))),
      h('div', { class: 'field' }, h('dt', t('case.contact')), h('dd', contactEl))));
}

// Rectification (GDPR Art. 16) from the person card: compliance, or an AF officer of the unit
// that holds the case. Only the fields changed are sent; the reason is optional.
function rectifyForm(c, subject, ctx) {
  const input = (id, v, attrs = {}) => h('input', { id, value: v || '', autocomplete: 'off', ...attrs });
  const contact = subject.contact && typeof subject.contact === 'object' ? subject.contact : {};
  const fields = {
    name: input('rectify-name', subject.name, { required: true, maxlength: '200' }),
    phone: input('rectify-phone', contact.phone, { type: 'tel', maxlength: '40' }),
    email: input('rectify-email', contact.email, { type: 'email', maxlength: '200' }),
    personal_number: input('rectify-pnr', subject.personal_number, { inputmode: 'numeric', maxlength: '13' }),
    reason: input('rectify-reason', '', { maxlength: '200' }),
  };
  const status = h('div', { id: 'rectify-status', role: 'status' });
  const form = h('form', {
    id: 'rectify-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const body = {};
      if (fields.name.value !== (subject.name || '')) body.name = fields.name.value;
      if (fields.personal_number.value !== (subject.personal_number || '')) body.personal_number = fields.personal_number.value;
      const phone = fields.phone.value, email = fields.email.value;
      if (phone !== (contact.phone || '') || email !== (contact.email || '')) body.contact = { phone, email };
      clear(status);
      if (Object.keys(body).length === 0) {
        status.appendChild(notice(t('rectify.nothing'), 'warning'));
        return;
      }
      if (fields.reason.value) body.reason = fields.reason.value;
      try {
        await api.patch(`/v1/subjects/${encodeURIComponent(c.subject_id)}`, body);
        sessionStorage.setItem('casetrail.notice', t('rectify.done'));
        ctx.navigate(location.hash);
      } catch (e) {
        status.appendChild(errorBox(e));
      }
    },
  },
  h('p', { class: 'help' }, t('rectify.help')),
  field(t('case.name'), fields.name),
  field(t('case.personal_number'), fields.personal_number, t('rectify.pnr.help')),
  field(t('case.phone'), fields.phone),
  field(t('case.email'), fields.email),
  field(t('rectify.reason'), fields.reason, t('rectify.reason.help')),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', id: 'rectify-save' }, t('rectify.save'))),
  status);
  return h('details', { id: 'rectify', class: 'rectify' }, h('summary', t('rectify.open')), form);
}

function mayRectify(c, ctx) {
  return ctx.caps.role === 'compliance' || (ctx.caps.role === 'af_officer' && ctx.caps.unit === c.unit);
}

function timelineItem(ev, isIncluded) {
  const actor = ev.actor || {};
  return h('li', {
    class: ['event', isIncluded ? '' : 'excluded'], dataset: { type: ev.type, version: ev.version, position: ev.position, included: String(isIncluded) },
  },
  h('div', { class: 'event-head' },
    h('h3', { class: 'event-title', title: ev.type }, code('event', ev.type)),
    h('span', { class: 'event-ids' }, t('case.event.version', { n: ev.version }), ' · ', t('case.event.position', { n: ev.position }))),
  isIncluded ? null : h('p', { class: 'excluded-note' }, t('case.timeline.excluded')),
  h('div', { class: 'event-body' },
  h('dl', { class: 'fields event-meta' },
    h('div', { class: 'field' }, h('dt', t('case.event.actor')), h('dd', { class: 'actor-id' }, actor.id || t('none'), actor.unit ? ` (${code('unit', actor.unit)})` : '')),
    h('div', { class: 'field' }, h('dt', t('case.event.role')), h('dd', { class: 'actor-role' }, code('role', actor.role))),
    h('div', { class: 'field' }, h('dt', t('case.event.revision')), h('dd', { class: 'event-revision', dataset: { revision: ev.revision || '' } }, revisionText(ev.revision))),
    h('div', { class: 'field' }, h('dt', t('case.event.recorded_at')), h('dd', { class: 'recorded-at' }, timeEl(ev.recorded_at))),
    h('div', { class: 'field' }, h('dt', t('case.event.effective_at')), h('dd', { class: 'effective-at' }, timeEl(ev.effective_at)))),
  h('div', { class: 'event-data' },
    h('h4', t('case.event.data')),
    ev.data && Object.keys(ev.data).length ? fieldList(ev.data) : h('p', { class: 'muted' }, t('case.event.nodata')))));
}

// What to do next: the state's next step in words, taking responsibility, and the forms of the
// commands the role may give now (generated from the case's revision).
async function nextStep(c, ctx) {
  const box = h('div', { id: 'next-step', dataset: { state: c.state || '' } });
  box.appendChild(h('p', { class: 'next-text', id: 'next-text' }, c.state ? t('next.' + c.state) : t('none')));
  let wf = null;
  let model = {};
  try {
    [wf, model] = await Promise.all([c.revision ? workflow(c.revision) : null, loadModel()]);
  } catch (e) {
    box.appendChild(errorBox(e));
    return section(t('next.title'), box);
  }
  const role = ctx.caps.role;
  const may = ((model.roles || {})[role] || {}).may || [];
  const terminal = (wf && wf.terminal_states) || [];
  if (may.includes('take_responsibility') && c.state && !terminal.includes(c.state)) {
    const st = h('span', { id: 'responsible-status', role: 'status' });
    box.appendChild(h('p', { class: 'responsible' },
      h('button', {
        type: 'button', class: 'secondary', id: 'take-responsibility',
        onclick: async () => {
          try {
            await api.post(`/v1/cases/${encodeURIComponent(c.case_id)}/responsible`, {});
            st.textContent = t('next.taken');
          } catch (e) { st.replaceChildren(errorBox(e)); }
        },
      }, t('next.take')), ' ', st));
  }
  if (wf && !(typeof c.subject === 'object' && c.subject && (c.subject.erased === true))) {
    box.appendChild(commandPanel(c, wf, model, role, (answer, cmd) => {
      sessionStorage.setItem('casetrail.notice', t('form.saved', { command: commandLabel(cmd.name), state: code('state', answer.state), version: answer.version }));
      sessionStorage.setItem('casetrail.notice.id', 'command-done');
      ctx.navigate(location.hash);
    }));
  }
  return section(t('next.title'), box);
}

export async function renderCase(main, caseId, query, ctx) {
  const asOf = query.get('as_of') || '';
  const validAt = query.get('valid_at') || '';
  const travelling = !!(asOf || validAt);

  main.appendChild(h('p', { class: 'breadcrumb' }, h('a', { href: '#/cases' }, '← ' + t('case.back'))));
  const h1 = h('h1', { tabindex: '-1' }, t('case.title', { id: caseId }));
  main.appendChild(h1);

  // Time travel.
  const asOfInput = h('input', {
    type: 'text', id: 'as-of', name: 'as_of', value: rfc3339ToLocal(asOf), inputmode: 'numeric', autocomplete: 'off',
    placeholder: t('ph.time'), pattern: '\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2})?)?', size: '17',
  });
  const validInput = h('input', {
    type: 'text', id: 'valid-at', name: 'valid_at', value: DATE_RE.test(validAt) ? validAt : '', inputmode: 'numeric',
    autocomplete: 'off', placeholder: t('ph.date'), pattern: '\\d{4}-\\d{2}-\\d{2}', size: '11',
  });
  const ttForm = h('form', {
    class: 'timetravel', id: 'timetravel-form',
    onsubmit: (ev) => {
      ev.preventDefault();
      ctx.navigate(`#/cases/${encodeURIComponent(caseId)}` + api.query({ as_of: localToRfc3339(asOfInput.value), valid_at: validInput.value }));
    },
  },
  h('p', { class: 'help' }, t('case.timetravel.help')),
  h('div', { class: 'row' },
    field(t('case.as_of'), asOfInput),
    field(t('case.valid_at'), validInput),
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', id: 'timetravel-show' }, t('case.timetravel.show')),
      travelling ? h('a', { href: `#/cases/${encodeURIComponent(caseId)}`, class: 'button secondary', id: 'timetravel-now' }, t('case.timetravel.now')) : null)));

  const [caseRes, eventsRes] = await Promise.allSettled([
    api.get(`/v1/cases/${encodeURIComponent(caseId)}` + api.query({ as_of: asOf, valid_at: validAt })),
    api.get(`/v1/cases/${encodeURIComponent(caseId)}/events`),
  ]);
  if (!ctx.isCurrent()) return;
  if (caseRes.status === 'rejected') {
    main.appendChild(errorBox(caseRes.reason));
    return;
  }
  const c = caseRes.value;
  if (ctx.caps.role === 'compliance') {
    main.appendChild(h('p', { class: 'actions' }, h('a', { href: '#/audit/' + encodeURIComponent(caseId), id: 'audit-link', class: 'button secondary' }, t('case.audit'))));
  }

  const done = sessionStorage.getItem('casetrail.notice');
  if (done) {
    sessionStorage.removeItem('casetrail.notice');
    const p = h('p', { class: 'notice', id: sessionStorage.getItem('casetrail.notice.id') || 'rectify-done', role: 'status', tabindex: '-1' }, done);
    sessionStorage.removeItem('casetrail.notice.id');
    main.appendChild(p);
    ctx.focusAfter = p;
  }
  if (!travelling) main.appendChild(await nextStep(c, ctx));
  if (!ctx.isCurrent()) return;
  main.appendChild(section(t('case.timetravel'), ttForm));
  if (travelling) {
    const parts = [];
    if (asOf) parts.push(t('case.timetravel.as_of', { t: DATE_RE.test(asOf) ? asOf : formatTime(asOf) }));
    if (validAt) parts.push(t('case.timetravel.valid_at', { d: validAt }));
    main.appendChild(h('p', { class: 'notice notice-travel', id: 'timetravel-banner', role: 'status' }, t('case.timetravel.active', { parts: parts.join(', ') })));
    if (!c.state) main.appendChild(notice(t('case.timetravel.nothing'), 'warning'));
  }

  // Summary and subject.
  const summary = h('dl', { class: 'fields summary', id: 'case-summary' },
    h('div', { class: 'field' }, h('dt', t('case.state')), h('dd', { id: 'case-state', dataset: { state: c.state || '' } }, c.state ? code('state', c.state) : t('none'))),
    h('div', { class: 'field' }, h('dt', t('case.unit')), h('dd', code('unit', c.unit))),
    h('div', { class: 'field' }, h('dt', t('case.pace')), h('dd', { id: 'case-pace' }, typeof c.pace === 'string' ? code('pace', c.pace) : value(c.pace))),
    h('div', { class: 'field' }, h('dt', t('case.closed_reason')), h('dd', c.closed_reason ? code('closed', c.closed_reason) : t('none'))),
    h('div', { class: 'field' }, h('dt', t('case.version')), h('dd', { id: 'case-version' }, String(c.version))),
    h('div', { class: 'field' }, h('dt', t('case.revision')), h('dd', { id: 'case-revision', dataset: { revision: c.revision || '' } }, revisionText(c.revision))),
    h('div', { class: 'field' }, h('dt', t('case.subject_id')), h('dd', c.subject_id || t('none'))));

  const left = h('div', { class: 'case-grid' },
    section(t('case.summary'), summary),
    section(t('case.subject'), subjectBlock(c.subject),
      !travelling && c.subject && typeof c.subject === 'object' && !isErased(c.subject) && !isRedacted(c.subject) &&
        mayRectify(c, ctx) ? rectifyForm(c, c.subject, ctx) : null),
    section(t('case.facts'), c.facts && Object.keys(c.facts).length ? fieldList(c.facts, { className: 'facts' }) : h('p', { class: 'muted' }, t('none'))));

  // The state diagram of the case's revision.
  const diagramPanel = h('div', { id: 'diagram' });
  try {
    const wf = c.revision ? await workflow(c.revision) : null;
    if (wf) {
      diagramPanel.appendChild(h('p', { id: 'current-state', class: 'current-state' }, c.state ? t('case.diagram.current', { state: code('state', c.state) }) : t('case.diagram.none')));
      diagramPanel.appendChild(h('div', { class: 'diagram-scroll' }, stateDiagram(wf, c.state)));
      diagramPanel.appendChild(transitionTable(wf));
    } else {
      diagramPanel.appendChild(notice(c.revision ? t('case.diagram.nodata', { revision: c.revision }) : t('case.diagram.none')));
    }
  } catch (e) {
    diagramPanel.appendChild(errorBox(e));
  }
  if (!ctx.isCurrent()) return;
  main.appendChild(section(t('case.diagram') + (c.revision ? ` – ${revisionText(c.revision)}` : ''), diagramPanel));
  main.appendChild(left);

  // Timeline.
  let timeline;
  if (eventsRes.status === 'rejected') timeline = errorBox(eventsRes.reason);
  else {
    const events = eventsRes.value.events || [];
    timeline = events.length
      ? h('ol', { class: 'timeline', id: 'timeline' }, events.map((ev) => timelineItem(ev, included(ev, asOf, validAt))))
      : notice(t('case.timeline.empty'));
  }
  main.appendChild(section(t('case.timeline'), timeline));

  // The case's reminders and their delivery, for roles that may read them (compliance).
  if (ctx.caps.reminders) {
    const box = h('div', { id: 'case-reminders' }, notice(t('loading')));
    main.appendChild(section(t('reminders.title'), box));
    try {
      const r = await api.get('/v1/reminders' + api.query({ case_id: caseId }));
      if (!ctx.isCurrent()) return;
      const rows = r.reminders || [];
      box.replaceChildren(rows.length ? reminderTable(rows, ctx) : notice(t('reminders.none.case')));
    } catch (e) {
      box.replaceChildren(errorBox(e));
    }
  }
}
