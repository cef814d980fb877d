// The AF officer's (and the SYV's) first steps: find a person by personal identity number
// (POST /v1/subjects/lookup: the number goes in the body, never in a URL, and the server records
// every lookup), register a new person, record consent (each scope in plain language, with the
// method and a reference to the evidence), and refer (SubmitReferral, a form generated from the
// newest workflow revision).

import * as api from '../api.js';
import { h, clear, errorBox, notice, field, section, select } from '../dom.js';
import { t, code } from '../i18n.js';
import { latestWorkflow, loadModel } from './workflows.js';
import { commandForm, scopeText } from '../commands.js';

const PNR_RE = /^(\d{6}|\d{8})[-+]?\d{4}$/;

export async function renderPerson(main, query, ctx) {
  main.appendChild(h('h1', { tabindex: '-1' }, t('person.title')));
  const [wf, model] = await Promise.all([latestWorkflow(), loadModel()]);
  if (!ctx.isCurrent()) return;
  const page = { subjectId: null };

  const steps = h('div', { id: 'person-steps' });
  const pnr = h('input', { id: 'lookup-pnr', name: 'personal_number', type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: '13', required: true });
  const lookupStatus = h('div', { id: 'lookup-result', 'aria-live': 'polite' });
  const lookupForm = h('form', {
    id: 'lookup-form', role: 'search', 'aria-label': t('person.lookup'), novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      clear(lookupStatus);
      clear(steps);
      page.subjectId = null;
      const v = pnr.value.trim();
      if (!PNR_RE.test(v)) {
        pnr.setAttribute('aria-invalid', 'true');
        lookupStatus.appendChild(notice(t('error.invalid_personal_number'), 'error'));
        return;
      }
      pnr.removeAttribute('aria-invalid');
      try {
        const r = await api.post('/v1/subjects/lookup', { personal_number: v });
        lookupStatus.appendChild(h('p', { class: 'notice', role: 'status', id: 'lookup-found', tabindex: '-1' }, t('person.found')));
        subjectKnown(r.subject_id);
        lookupStatus.querySelector('#lookup-found').focus();
      } catch (e) {
        if (e.status === 404) {
          lookupStatus.appendChild(h('p', { class: 'notice notice-warning', role: 'status', id: 'lookup-notfound' }, t('person.notfound')));
          steps.appendChild(registerForm(v));
          steps.querySelector('#reg-name').focus();
        } else {
          lookupStatus.appendChild(errorBox(e));
        }
      }
    },
  },
  field(t('person.pnr'), pnr, t('person.lookup.help')),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', id: 'lookup-submit' }, t('person.search'))));
  main.appendChild(section(t('person.lookup'), lookupForm, lookupStatus));
  main.appendChild(steps);

  function registerForm(number) {
    const num = h('input', { id: 'reg-pnr', type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: '13', value: number, required: true });
    const name = h('input', { id: 'reg-name', type: 'text', autocomplete: 'off', maxlength: '200', required: true });
    const gender = select('gender', ['female', 'male', 'unknown'].map((g) => [g, code('gender', g)]), 'unknown');
    gender.id = 'reg-gender';
    const phone = h('input', { id: 'reg-phone', type: 'tel', autocomplete: 'off', maxlength: '40' });
    const email = h('input', { id: 'reg-email', type: 'email', autocomplete: 'off', maxlength: '200' });
    const status = h('div', { id: 'register-status', 'aria-live': 'polite' });
    const form = h('form', {
      id: 'register-form', novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        clear(status);
        if (!name.value.trim()) {
          name.setAttribute('aria-invalid', 'true');
          status.appendChild(notice(t('form.missing', { field: t('person.name') }), 'error'));
          name.focus();
          return;
        }
        name.removeAttribute('aria-invalid');
        const body = { personal_number: num.value.trim(), name: name.value.trim(), gender: gender.value };
        const contact = {};
        if (phone.value.trim()) contact.phone = phone.value.trim();
        if (email.value.trim()) contact.email = email.value.trim();
        if (Object.keys(contact).length) body.contact = contact;
        try {
          const r = await api.post('/v1/subjects', body);
          form.replaceWith(h('p', { class: 'notice', role: 'status', id: 'register-done', tabindex: '-1' }, t('person.registered')));
          subjectKnown(r.subject_id);
          steps.querySelector('#register-done').focus();
        } catch (e) {
          status.appendChild(errorBox(e));
        }
      },
    },
    field(t('person.pnr'), num),
    field(t('person.name'), name),
    field(t('person.gender'), gender),
    field(t('person.phone'), phone),
    field(t('person.email'), email),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', id: 'register-submit' }, t('person.register'))),
    status);
    return section(t('person.register'), form);
  }

  function subjectKnown(subjectId) {
    page.subjectId = subjectId;
    steps.appendChild(consentForm());
    steps.appendChild(referralForm());
  }

  function consentForm() {
    const scopes = Object.keys((model.consent && model.consent.scopes) || {});
    const boxes = scopes.map((s) => h('div', { class: 'choice consent-scope' },
      h('input', { type: 'checkbox', id: 'consent-' + s, value: s, 'aria-describedby': 'consent-' + s + '-text' }),
      h('label', { for: 'consent-' + s, id: 'consent-' + s + '-text' }, scopeText(model, s))));
    const methods = (model.consent && model.consent.methods) || ['signed_form', 'bankid', 'verbal'];
    const method = select('method', methods.map((m) => [m, code('method', m)]), methods[0]);
    method.id = 'consent-method';
    const evidence = h('input', { id: 'consent-evidence', type: 'text', autocomplete: 'off', maxlength: '100' });
    const status = h('div', { id: 'consent-status', 'aria-live': 'polite' });
    const form = h('form', {
      id: 'consent-form', novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        clear(status);
        const chosen = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
        if (!chosen.length) {
          status.appendChild(notice(t('person.consent.none'), 'error'));
          boxes[0].querySelector('input').focus();
          return;
        }
        const body = { scopes: chosen, method: method.value };
        if (evidence.value.trim()) body.evidence_ref = evidence.value.trim();
        try {
          await api.post(`/v1/subjects/${encodeURIComponent(page.subjectId)}/consents`, body);
          status.appendChild(h('p', { class: 'notice', role: 'status', id: 'consent-done', tabindex: '-1' }, t('person.consent.saved')));
          status.querySelector('#consent-done').focus();
        } catch (e) {
          status.appendChild(errorBox(e));
        }
      },
    },
    h('fieldset', { class: 'checks' }, h('legend', t('person.consent')), h('p', { class: 'help' }, t('person.consent.help')), boxes),
    field(t('person.consent.method'), method),
    field(t('person.consent.evidence'), evidence, t('person.consent.evidence.help')),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', id: 'consent-submit' }, t('person.consent.save'))),
    status);
    return section(t('person.consent'), form);
  }

  function referralForm() {
    const cmd = wf && (wf.commands || []).find((c) => c.name === 'SubmitReferral');
    if (!cmd || !(cmd.roles || []).includes(ctx.caps.role)) return null;
    // An AF officer refers to its own unit; the SYV only with a group activity (the
    // definition's role_conditions, checked again by the API).
    const skip = {};
    if (ctx.caps.unit) skip.unit = ctx.caps.unit;
    if (ctx.caps.role === 'syv') skip.channel = 'group_activity';
    const form = commandForm(cmd, wf, model, {
      idPrefix: 'referral', unit: ctx.caps.unit, skip,
      submit: (data) => api.post('/v1/cases', { subject_id: page.subjectId, ...data }),
      onDone: (answer) => {
        sessionStorage.setItem('casetrail.notice', t('person.refer.done'));
        sessionStorage.setItem('casetrail.notice.id', 'referral-done');
        ctx.navigate('#/cases/' + encodeURIComponent(answer.case_id));
      },
    });
    return section(t('cmd.SubmitReferral') + (ctx.caps.unit ? ` – ${code('unit', ctx.caps.unit)}` : ''), form);
  }
}

