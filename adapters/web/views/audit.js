import * as api from '../api.js';
import { h, table, timeEl, errorBox, notice, section, field, select, fieldList, value, fieldLabel } from '../dom.js';
import { t, code, hasCode, formatTime } from '../i18n.js';
import { revisionText } from './case.js';

// A code of the audit (legal basis, authentication, purpose) in words, else as it is.
const codeWords = (v) => (hasCode('val', v) ? code('val', v) : v);

const LEGAL_BASES = ['art17_request', 'art17_1a', 'art17_1b', 'art17_1c', 'art17_1d', 'art17_1e'];
const CODE_RE = /^[A-Za-z0-9._:/()-]{1,100}$/;

async function verifyPanel() {
  const out = h('div', { id: 'verify-status', 'aria-live': 'polite' }, notice(t('loading')));
  const run = async () => {
    out.replaceChildren(notice(t('loading')));
    try {
      const v = await api.get('/v1/verify');
      if (v.ok) {
        out.replaceChildren(
          h('p', { class: 'notice notice-ok', dataset: { verify: 'ok' } }, t('verify.ok', { n: v.events, p: v.head ? v.head.position : '–' })),
          v.head ? h('p', { class: 'muted' }, t('verify.head') + ': ', h('code', { class: 'hash' }, v.head.hash)) : null);
      } else {
        out.replaceChildren(h('p', { class: 'notice notice-error', dataset: { verify: 'bad' }, role: 'alert' },
          t('verify.bad', { p: v.first_bad_position }), v.problem ? ` (${v.problem})` : ''));
      }
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  };
  await run();
  return h('div', {}, out, h('button', { type: 'button', class: 'secondary', id: 'verify-run', onclick: run }, t('verify.run')));
}

export async function renderAuditLanding(main, ctx) {
  main.appendChild(h('h1', { tabindex: '-1' }, t('audit.landing')));
  main.appendChild(section(t('verify.title'), await verifyPanel()));
  if (!ctx.isCurrent()) return;
  const input = h('input', { type: 'text', id: 'audit-case-id', name: 'case_id', placeholder: 'C-…', required: true, autocomplete: 'off', pattern: 'C-[0-9a-f]+' });
  main.appendChild(section(t('audit.open'), h('form', {
    class: 'inline-form', id: 'audit-open-form',
    onsubmit: (ev) => {
      ev.preventDefault();
      const id = input.value.trim();
      if (id) ctx.navigate('#/audit/' + encodeURIComponent(id));
    },
  }, field(t('audit.case_id'), input), h('button', { type: 'submit' }, t('audit.go')))));
}

function actorText(a) {
  if (!a) return t('none');
  return [a.id, code('role', a.role), a.unit ? code('unit', a.unit) : null].filter(Boolean).join(' · ');
}

function erasurePanel(subjectId, personName, ctx, onErased) {
  const basis = select('legal_basis', [['', t('audit.erasure.legal_basis.choose')], ...LEGAL_BASES.map((b) => [b, t('basis.' + b)])], '');
  basis.id = 'erasure-legal-basis';
  basis.required = true;
  const ref = h('input', { type: 'text', id: 'erasure-reference', name: 'reference', required: true, autocomplete: 'off', maxlength: '100' });
  const status = h('div', { id: 'erasure-status', 'aria-live': 'polite' });
  const basisError = h('span', { class: 'field-error', id: 'erasure-legal-basis-error' });
  const refError = h('span', { class: 'field-error', id: 'erasure-reference-error' });

  const confirmTitle = h('h2', { id: 'erasure-confirm-title' }, t('audit.erasure.confirm.title'));
  const confirmText = h('p', { id: 'erasure-confirm-text' });
  const cancelBtn = h('button', { type: 'button', class: 'secondary', id: 'erasure-cancel' }, t('cancel'));
  const confirmBtn = h('button', { type: 'button', class: 'danger', id: 'erasure-confirm' }, t('audit.erasure.confirm'));
  const dialog = h('dialog', { id: 'erasure-dialog', 'aria-labelledby': 'erasure-confirm-title', 'aria-describedby': 'erasure-confirm-text' },
    confirmTitle, confirmText, h('div', { class: 'buttons' }, cancelBtn, confirmBtn));
  cancelBtn.addEventListener('click', () => dialog.close());

  confirmBtn.addEventListener('click', async () => {
    confirmBtn.disabled = true;
    try {
      const r = await api.post(`/v1/subjects/${encodeURIComponent(subjectId)}/erasure`, { legal_basis: basis.value, reference: ref.value.trim() });
      dialog.close();
      status.replaceChildren(h('p', { class: 'notice notice-ok', id: 'erasure-result', dataset: { erasedAt: r.erased_at } },
        t('audit.erasure.done', { at: formatTime(r.erased_at), cases: '' }),
        (r.cases || []).length ? r.cases.map((c, i) => [i ? ', ' : '', h('a', { href: '#/cases/' + encodeURIComponent(c) }, c)]) : t('none')));
      onErased(r);
    } catch (e) {
      dialog.close();
      status.replaceChildren(e.code === 'erased' ? notice(t('audit.erasure.already'), 'warning') : errorBox(e));
    } finally {
      confirmBtn.disabled = false;
    }
  });

  const form = h('form', {
    id: 'erasure-form', novalidate: true,
    onsubmit: (ev) => {
      ev.preventDefault();
      let ok = true;
      basisError.textContent = '';
      refError.textContent = '';
      basis.removeAttribute('aria-invalid');
      ref.removeAttribute('aria-invalid');
      if (!basis.value) {
        ok = false;
        basis.setAttribute('aria-invalid', 'true');
        basisError.textContent = t('audit.erasure.missing_basis');
      }
      if (!CODE_RE.test(ref.value.trim())) {
        ok = false;
        ref.setAttribute('aria-invalid', 'true');
        refError.textContent = t('audit.erasure.bad_reference');
      }
      if (!ok) {
        (basis.value ? ref : basis).focus();
        return;
      }
      confirmText.textContent = t('audit.erasure.confirm.text2', {
        who: personName ? `${personName} (${subjectId})` : subjectId, basis: t('basis.' + basis.value), ref: ref.value.trim(),
      });
      dialog.showModal();
      cancelBtn.focus();
    },
  },
  h('p', { class: 'help' }, t('audit.erasure.help')),
  h('div', { class: 'form-field' }, h('label', { for: basis.id }, t('audit.erasure.legal_basis')), basis, basisError),
  h('div', { class: 'form-field' },
    h('label', { for: ref.id }, t('audit.erasure.reference')), ref,
    h('span', { class: 'help', id: 'erasure-reference-help' }, t('audit.erasure.reference.help')), refError),
  h('button', { type: 'submit', class: 'danger', id: 'erasure-start' }, t('audit.erasure.start')));
  basis.setAttribute('aria-describedby', basisError.id);
  ref.setAttribute('aria-describedby', 'erasure-reference-help ' + refError.id);
  return h('div', {}, form, status, dialog);
}

export async function renderAudit(main, caseId, ctx) {
  main.appendChild(h('p', { class: 'breadcrumb' },
    h('a', { href: '#/audit' }, '← ' + t('audit.landing')), ' · ',
    h('a', { href: '#/cases/' + encodeURIComponent(caseId) }, t('case.title', { id: caseId }))));
  main.appendChild(h('h1', { tabindex: '-1' }, t('audit.title', { id: caseId })));
  const a = await api.get(`/v1/cases/${encodeURIComponent(caseId)}/audit`);
  if (!ctx.isCurrent()) return;
  // The person's name for the erasure confirmation (compliance reads it; the read is recorded).
  let personName = '';
  try {
    const c = await api.get(`/v1/cases/${encodeURIComponent(caseId)}`);
    if (c.subject && typeof c.subject.name === 'string') personName = c.subject.name;
  } catch (_) { /* the dialog then names the subject id only */ }
  if (!ctx.isCurrent()) return;

  const chain = a.chain || {};
  main.appendChild(section(t('audit.chain'),
    chain.ok
      ? h('p', { class: 'notice notice-ok', id: 'chain-status', dataset: { chain: 'ok' } }, t('audit.chain.ok', { n: chain.events }))
      : h('p', { class: 'notice notice-error', id: 'chain-status', role: 'alert', dataset: { chain: 'bad' } }, t('audit.chain.bad', { p: chain.first_bad_position }))));

  // The subject: register extract and erasure.
  const sid = a.subject_id;
  const extractStatus = h('div', { 'aria-live': 'polite', id: 'extract-status' });
  const extractBtn = h('button', {
    type: 'button', id: 'extract-download',
    onclick: async () => {
      extractStatus.replaceChildren();
      try {
        const r = await api.download(`/v1/subjects/${encodeURIComponent(sid)}/extract`, 'application/json', `register-extract-${sid}.json`);
        extractStatus.appendChild(notice(t('lists.downloaded', { name: r.name }), 'ok'));
      } catch (e) {
        extractStatus.appendChild(errorBox(e));
      }
    },
  }, t('audit.extract.download'));
  main.appendChild(h('section', { class: 'panel', 'aria-labelledby': 'subject-h' },
    h('h2', { id: 'subject-h' }, t('audit.subject', { id: sid })),
    h('div', { class: 'two-col' },
      h('div', {}, h('h3', t('audit.extract')), extractBtn, extractStatus),
      h('div', {}, h('h3', t('audit.erasure')), erasurePanel(sid, personName, ctx, () => {})))));

  const stack = (...lines) => h('span', { class: 'stack' }, lines.filter((x) => x !== null && x !== undefined).map((x) => h('span', {}, x)));
  main.appendChild(section(t('audit.events'), table(a.events || [], [
    { label: t('audit.col.position'), cell: (e) => String(e.position), className: 'num' },
    { label: `${t('audit.col.type')} / ${t('audit.col.command')}`, cell: (e) => stack(h('span', { title: e.type }, code('event', e.type)), h('span', { class: 'muted', title: e.command || e.type }, e.command ? code('cmd', e.command) : code('event', e.type))) },
    { label: `${t('audit.col.actor')} / ${t('audit.col.auth')}`, cell: (e) => stack(actorText(e.actor), h('span', { class: 'muted' }, e.actor && e.actor.auth ? codeWords(e.actor.auth) : t('none'))) },
    { label: `${t('audit.col.legal_basis')} / ${t('audit.col.consent_ref')}`, cell: (e) => stack(e.legal_basis ? codeWords(e.legal_basis) : t('none'), h('span', { class: 'muted', dataset: { raw: '' } }, e.consent_ref || t('none'))) },
    { label: t('audit.col.revision'), cell: (e) => h('span', { title: e.revision || '' }, revisionText(e.revision)) },
    { label: `${t('audit.col.recorded_at')} / ${t('audit.col.effective_at')}`, cell: (e) => stack(timeEl(e.recorded_at), h('span', { class: 'muted' }, timeEl(e.effective_at))) },
    { label: t('audit.col.personal'), cell: (e) => (e.has_personal_data ? t('yes') : t('no')) },
    { label: t('audit.col.facts'), cell: (e) => (e.facts && Object.keys(e.facts).length
      ? h('details', { class: 'facts' }, h('summary', `${t('audit.col.facts')} (${Object.keys(e.facts).length})`), fieldList(e.facts))
      : t('none')) },
    { label: t('audit.col.hash'), cell: (e) => h('code', { class: 'hash', title: e.hash }, (e.hash || '').slice(0, 10) + '…') },
  ], { className: 'audit-events', caption: t('audit.events') })));

  const refused = a.refused_commands || [];
  main.appendChild(section(t('audit.refused'), refused.length ? table(refused, [
    { label: t('audit.col.position'), cell: (e) => String(e.position), className: 'num' },
    { label: t('audit.col.command'), cell: (e) => { const n = e.command || (e.facts && e.facts.command); return n ? h('span', { title: n }, code('cmd', n)) : t('none'); } },
    { label: t('audit.col.code'), cell: (e) => {
      const f = e.facts || {};
      const words = { guard: (v) => code('guard', v), scope: (v) => code('scope', v), field: (v) => fieldLabel(v), current_state: (v) => code('state', v) };
      const extra = ['guard', 'scope', 'field', 'current_state'].filter((k) => f[k]).map((k) => words[k](f[k]));
      return h('span', { class: 'refusal-code', dataset: { code: f.code || '' } }, f.code ? code('refusal', f.code) : t('none'), extra.length ? h('span', { class: 'muted' }, ` (${extra.join(', ')})`) : null);
    } },
    { label: t('audit.col.fields'), cell: (e) => ((e.facts && e.facts.fields) || []).map(fieldLabel).join(', ') || t('none') },
    { label: t('audit.col.actor'), cell: (e) => actorText(e.actor) },
    { label: t('audit.col.auth'), cell: (e) => (e.actor && e.actor.auth ? codeWords(e.actor.auth) : t('none')) },
    { label: t('audit.col.recorded_at'), cell: (e) => timeEl(e.recorded_at) },
  ], { className: 'audit-refused', caption: t('audit.refused') }) : notice(t('audit.refused.none'))));

  const reads = a.reads || [];
  main.appendChild(section(t('audit.reads'), reads.length ? table(reads, [
    { label: t('audit.col.at'), cell: (r) => timeEl(r.at) },
    { label: t('audit.col.actor'), cell: (r) => r.actor || t('none') },
    { label: t('audit.col.role'), cell: (r) => code('role', r.role) },
    { label: t('audit.col.purpose'), cell: (r) => (r.purpose ? codeWords(r.purpose) : t('none')) },
    { label: t('audit.col.fields'), cell: (r) => (r.fields || []).map(fieldLabel).join(', ') },
    { label: t('audit.col.outcome'), cell: (r) => h('span', { class: 'outcome-' + r.outcome }, r.outcome ? code('outcome', r.outcome) : t('none')) },
  ], { className: 'audit-reads', caption: t('audit.reads') }) : notice(t('audit.reads.none'))));
}
