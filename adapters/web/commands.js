// Forms generated from the workflow definition (GET /v1/workflows): one form per command the
// role may give in the case's state, its fields from the command's `fields` (type, codes,
// required, default), its guards and consent needs said in words before submitting. The UI
// decides nothing: the API checks role, state, consent and guards again and its answer is shown.

import * as api from './api.js';
import { h, clear, errorBox, notice, fieldLabel, timeEl } from './dom.js';
import { t, code, hasCode, lang, stockholmToUtc, stockholmLocal } from './i18n.js';

const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
let seq = 0;
const uid = (p) => `${p}-${(seq += 1)}`;

// A code of the definition in words: the field's own kind first, then the shared value table.
export function codeText(kind, value) {
  for (const k of [kind, 'val']) if (k && hasCode(k, value)) return code(k, value);
  return String(value);
}

export function commandLabel(name) { return code('cmd', name); }

// The consent scope's plain-language text from the model (GET /v1/workflows → model.consent).
export function scopeText(model, scope) {
  const s = model && model.consent && model.consent.scopes && model.consent.scopes[scope];
  return (s && (s[lang()] || s.sv)) || codeText('scope', scope);
}

// The commands `role` may give in `state` under revision `wf` (from the definition alone).
export function availableCommands(wf, state, role) {
  if (!wf || !state) return [];
  const terminal = wf.terminal_states || [];
  return (wf.commands || []).filter((c) => (c.roles || []).includes(role)
    && (c.from || []).some((f) => f === state || (f === '*open' && !terminal.includes(state))));
}

// The monthly meetings (this month and the two before) and progression lists (the last four
// quarters) of a unit, as ids with their names in words: no raw "monthly:jarva:2026-12".
function monthName(ym) {
  const [y, m] = ym.split('-').map(Number);
  const name = new Intl.DateTimeFormat(lang() === 'sv' ? 'sv-SE' : 'en-GB', { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
  return `${name} ${y}`;
}

export function meetingName(id) {
  const m = /^monthly:([a-z]+):(\d{4}-\d{2})$/.exec(id || '');
  if (m) return t('meeting.list_name', { unit: code('unit', m[1]), month: monthName(m[2]) });
  const q = /^progression:([a-z]+):(\d{4})-Q([1-4])$/.exec(id || '');
  if (q) return t('progression.list_name', { unit: code('unit', q[1]), quarter: `${q[2]} ${lang() === 'sv' ? 'kv.' : 'Q'}${q[3]}` });
  return id;
}

function recentMonths(n) {
  const now = new Date();
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

function recentQuarters(n) {
  const now = new Date();
  let y = now.getUTCFullYear();
  let q = Math.floor(now.getUTCMonth() / 3) + 1;
  const out = [];
  for (let i = 0; i < n; i += 1) {
    out.push(`${y}-Q${q}`);
    q -= 1;
    if (q === 0) { q = 4; y -= 1; }
  }
  return out;
}

function idChoices(name, unit) {
  if (name === 'meeting') return recentMonths(3).map((m) => `monthly:${unit}:${m}`);
  if (name === 'list') return recentQuarters(4).map((q) => `progression:${unit}:${q}`);
  return null;
}

// A field's allowed values: inline in GET /v1/workflows, by name in the definition file.
function codesOf(spec, wf) {
  return Array.isArray(spec.codes) ? spec.codes : ((wf.codes || {})[spec.codes] || []);
}

// Required fields first, free text last, otherwise the definition's order.
function fieldOrder([a, sa], [b, sb]) {
  const rank = (s) => (s.type === 'text' ? 2 : s.required ? 0 : 1);
  return rank(sa) - rank(sb);
}

function example(kind) {
  const soon = new Date(Date.now() + 2 * 86400000);
  const local = stockholmLocal(soon.toISOString());
  return kind === 'date' ? local.slice(0, 10) : local.slice(0, 11) + '10:00';
}

// One control for one field of the definition; returns {row, read()} where read() gives
// [value, error] (value undefined: leave the field out).
function control(name, spec, wf, unit) {
  const id = uid('f-' + name);
  const label = fieldLabel(name);
  const required = !!spec.required;
  const labelEl = h('label', { for: id }, label, required ? h('span', { class: 'req' }, ` (${t('form.required')})`) : null);
  const helpId = id + '-help';
  const errId = id + '-err';
  const err = h('span', { class: 'field-error', id: errId, role: 'alert' });
  const described = (withHelp) => [withHelp ? helpId : null, errId].filter(Boolean).join(' ');
  const wrap = (ctl, help) => h('div', { class: 'form-field', dataset: { field: name } }, labelEl, ctl,
    help ? h('span', { class: 'help', id: helpId }, help) : null, err);
  const fail = (ctl, msg) => { ctl.setAttribute('aria-invalid', 'true'); err.textContent = msg; return [undefined, msg]; };
  const ok = (ctl, v) => { ctl.removeAttribute('aria-invalid'); err.textContent = ''; return [v, null]; };

  if (spec.type === 'code' || (spec.type === 'id' && idChoices(name, unit))) {
    const values = spec.type === 'code' ? codesOf(spec, wf) : idChoices(name, unit);
    const first = required ? t('form.choose') : t('form.optional_none');
    const sel = h('select', { id, name, 'aria-describedby': described(false), required },
      h('option', { value: '' }, first),
      values.map((v) => h('option', { value: v, selected: v === spec.default },
        spec.type === 'code' ? codeText(name, v) : meetingName(v))));
    return {
      row: wrap(sel), control: sel,
      read: () => (sel.value ? ok(sel, sel.value) : (required ? fail(sel, t('form.missing', { field: label })) : ok(sel, undefined))),
    };
  }
  if (spec.type === 'bool') {
    // Yes / no as radio buttons; with no default and not required, "not given" too.
    const choices = [['true', t('form.yes')], ['false', t('form.no')]];
    const optional = !required && spec.default === undefined;
    if (optional) choices.push(['', t('form.optional_none')]);
    const def = spec.default === undefined ? (optional ? '' : null) : String(spec.default);
    const legendId = id + '-legend';
    const radios = choices.map(([v, text]) => {
      const rid = `${id}-${v || 'none'}`;
      return h('span', { class: 'choice' },
        h('input', { type: 'radio', id: rid, name: id, value: v, checked: def === v, required: required && !optional }),
        h('label', { for: rid }, text));
    });
    const fs = h('fieldset', { class: 'form-field radios', dataset: { field: name }, 'aria-describedby': errId },
      h('legend', { id: legendId }, label, required ? h('span', { class: 'req' }, ` (${t('form.required')})`) : null), radios, err);
    return {
      row: fs, control: fs,
      read: () => {
        const chosen = fs.querySelector('input:checked');
        if (!chosen) return required ? fail(fs, t('form.missing', { field: label })) : ok(fs, undefined);
        return ok(fs, chosen.value === '' ? undefined : chosen.value === 'true');
      },
    };
  }
  if (spec.type === 'codes') {
    const values = codesOf(spec, wf);
    const boxes = values.map((v) => {
      const cid = `${id}-${v}`;
      return h('span', { class: 'choice' }, h('input', { type: 'checkbox', id: cid, value: v }), h('label', { for: cid }, codeText('field', v)));
    });
    const fs = h('fieldset', { class: 'form-field checks', dataset: { field: name } }, h('legend', label), boxes, err);
    return {
      row: fs, control: fs,
      read: () => {
        const v = [...fs.querySelectorAll('input:checked')].map((x) => x.value);
        return v.length || !required ? ok(fs, v.length ? v : undefined) : fail(fs, t('form.missing', { field: label }));
      },
    };
  }
  if (spec.type === 'text') {
    const ta = h('textarea', { id, name, rows: '3', maxlength: '2000', 'aria-describedby': described(true) });
    return { row: wrap(ta, t('form.note.help')), control: ta, read: () => (ta.value.trim() ? ok(ta, ta.value.trim()) : ok(ta, undefined)) };
  }
  // time, date, int, id: a text input; times and dates in ISO form whatever the browser's language.
  const attrs = { id, name, type: 'text', autocomplete: 'off', 'aria-describedby': described(spec.type === 'time' || spec.type === 'date'), required };
  let help = null;
  if (spec.type === 'time') {
    Object.assign(attrs, { inputmode: 'numeric', placeholder: t('ph.time'), size: '17' });
    help = t('form.time.help', { example: example('time') });
  }
  if (spec.type === 'date') {
    Object.assign(attrs, { inputmode: 'numeric', placeholder: t('ph.date'), size: '11' });
    help = t('form.date.help', { example: example('date') });
  }
  if (spec.type === 'int') Object.assign(attrs, { inputmode: 'numeric', pattern: '[0-9]+' });
  const input = h('input', attrs);
  return {
    row: wrap(input, help), control: input,
    read: () => {
      const v = input.value.trim();
      if (!v) return required ? fail(input, t('form.missing', { field: label })) : ok(input, undefined);
      if (spec.type === 'time') {
        const utc = stockholmToUtc(v);
        return utc ? ok(input, utc) : fail(input, t('form.bad_time'));
      }
      if (spec.type === 'date') return DATE_RE.test(v) ? ok(input, v) : fail(input, t('form.bad_date'));
      if (spec.type === 'int') return /^\d+$/.test(v) ? ok(input, Number(v)) : fail(input, t('form.missing', { field: label }));
      return ok(input, v);
    },
  };
}

// The conditions of a command in words: its guards and the consent it needs.
export function conditions(cmd, model) {
  const items = (cmd.guards || []).map((g) => h('li', { dataset: { guard: g } }, hasCode('guard', g) ? code('guard', g) : g));
  if ((cmd.consent || []).length) {
    items.push(h('li', { class: 'consent-need' }, t('form.consent', { scopes: cmd.consent.map((s) => scopeText(model, s)).join('; ') })));
  }
  return items.length ? h('div', { class: 'conditions' }, h('h4', t('form.guards')), h('ul', items)) : null;
}

// The events recorded after `version`, for a 409: who changed what, and when.
async function changesSince(caseId, version) {
  try {
    const r = await api.get(`/v1/cases/${encodeURIComponent(caseId)}/events`);
    const later = (r.events || []).filter((e) => e.version > version);
    return h('ul', { class: 'conflict-changes' }, later.map((e) => h('li',
      code('event', e.type), ' – ', (e.actor && e.actor.id) || t('none'), ', ', timeEl(e.recorded_at))));
  } catch (e) {
    return errorBox(e);
  }
}

// A form for `cmd`. `target`: {caseId, version, unit} for a case command, or `submit(data)` to
// send it elsewhere (SubmitReferral goes to POST /v1/cases). `skip`: fields filled in by the
// caller (e.g. the unit). onDone(answer) after success.
export function commandForm(cmd, wf, model, { caseId, version, unit, skip = {}, submit, onDone, idPrefix }) {
  const fid = idPrefix || ('cmd-' + cmd.name);
  const controls = Object.entries(cmd.fields || {})
    .filter(([name]) => !(name in skip))
    .sort(fieldOrder)
    .map(([name, spec]) => [name, control(name, spec, wf, unit)]);
  const status = h('div', { class: 'form-status', id: fid + '-status', 'aria-live': 'polite' });
  const state = { version };
  const button = h('button', { type: 'submit', id: fid + '-submit' }, commandLabel(cmd.name));

  async function send(data) {
    clear(status);
    button.disabled = true;
    try {
      const answer = submit
        ? await submit(data)
        : await api.post(`/v1/cases/${encodeURIComponent(caseId)}/commands`, { command: cmd.name, expected_version: state.version, data });
      onDone(answer, cmd);
    } catch (e) {
      if (e.status === 409 && e.code === 'version_conflict') {
        const current = e.problem.current_version;
        const retry = h('button', {
          type: 'button', id: fid + '-retry',
          onclick: () => { state.version = current; send(data); },
        }, t('form.conflict.retry'));
        status.appendChild(h('div', { class: 'notice notice-error conflict', role: 'alert', dataset: { error: 'version_conflict' } },
          h('p', t('form.conflict', { expected: state.version, current })),
          await changesSince(caseId, state.version),
          h('div', { class: 'buttons' }, retry)));
        retry.focus();
      } else {
        status.appendChild(errorBox(e));
      }
    } finally {
      button.disabled = false;
    }
  }

  const form = h('form', {
    class: 'command-form', id: fid, novalidate: true, dataset: { command: cmd.name },
    onsubmit: async (ev) => {
      ev.preventDefault();
      const data = { ...skip };
      let firstBad = null;
      for (const [name, c] of controls) {
        const [v, err] = c.read();
        if (err && !firstBad) firstBad = c.control;
        if (v !== undefined) data[name] = v;
      }
      if (firstBad) {
        (firstBad.querySelector ? (firstBad.querySelector('input') || firstBad) : firstBad).focus();
        return;
      }
      await send(data);
    },
  },
  conditions(cmd, model),
  controls.map(([, c]) => c.row),
  h('div', { class: 'buttons' }, button),
  status);
  return form;
}

// The command forms of a case: each in a <details> (keyboard: Tab to the summary, Enter opens).
export function commandPanel(c, wf, model, role, onDone) {
  const cmds = availableCommands(wf, c.state, role);
  if (!cmds.length) return notice(t('form.nocommands'));
  return h('div', { class: 'command-list', id: 'commands' }, cmds.map((cmd) => h('details', { class: 'command', dataset: { command: cmd.name } },
    h('summary', { id: 'open-' + cmd.name }, commandLabel(cmd.name)),
    commandForm(cmd, wf, model, { caseId: c.case_id, version: c.version, unit: c.unit, onDone }))));
}

