// Small DOM helpers. Everything is built with createElement and textContent: no HTML strings
// from data, no inline styles (the Content-Security-Policy forbids them).

import { t, code, hasCode, formatTime } from './i18n.js';
import { ApiError } from './api.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'required') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

// h('a', {href: '#/cases'}, 'text', child, [children]) — an HTML element.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
  } else {
    setAttrs(el, attrs);
  }
  append(el, children);
  return el;
}

// s('rect', {x: 1}) — an SVG element.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function isRedacted(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && v.redacted === true;
}

export function isErased(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && v.erased === true && Object.keys(v).length === 1;
}

export function redactedBadge() {
  return h('span', { class: 'badge badge-redacted', dataset: { marker: 'redacted' } }, t('redacted'));
}

export function erasedBadge() {
  return h('span', { class: 'badge badge-erased', dataset: { marker: 'erased' } }, t('erased'));
}

const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

export function timeEl(iso) {
  if (!iso) return document.createTextNode(t('none'));
  return h('time', { datetime: iso, title: iso }, formatTime(iso));
}

// A value from the API, shown for people: codes translated, times formatted, redacted and
// erased values marked as such.
export function value(v, fieldName) {
  if (v === null || v === undefined) return document.createTextNode(t('none'));
  if (isErased(v)) return erasedBadge();
  if (isRedacted(v)) return redactedBadge();
  if (typeof v === 'boolean') return document.createTextNode(v ? t('yes') : t('no'));
  if (typeof v === 'number') return document.createTextNode(String(v));
  if (typeof v === 'string') {
    if (TIME_RE.test(v)) return timeEl(v);
    const kinds = { state: 'state', pace: 'pace', gender: 'gender', unit: 'unit', to_unit: 'unit', closed_reason: 'closed', role: 'role' };
    if (fieldName && kinds[fieldName] && hasCode(kinds[fieldName], v)) return document.createTextNode(code(kinds[fieldName], v));
    if (fieldName !== 'note' && hasCode('val', v)) return h('span', { title: v }, code('val', v));
    return document.createTextNode(v);
  }
  if (Array.isArray(v)) return document.createTextNode(v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', '));
  return fieldList(v);
}

export function fieldLabel(name) {
  return hasCode('field', name) ? code('field', name) : name;
}

// An object as a definition list. The members "erased": true and "personal": {...} that the
// API adds to an event's data stand for its personal fields.
export function fieldList(obj, { className } = {}) {
  const dl = h('dl', { class: ['fields', className] });
  const keys = Object.keys(obj || {});
  if (isRedacted(obj)) return redactedBadge();
  if (isErased(obj)) return erasedBadge();
  for (const k of keys) {
    const v = obj[k];
    let label = fieldLabel(k);
    let shown;
    if (k === 'erased' && v === true) { label = t('personal'); shown = erasedBadge(); }
    else if (k === 'personal' && (isRedacted(v) || isErased(v))) { label = t('personal'); shown = value(v); }
    else shown = value(v, k);
    dl.appendChild(h('div', { class: 'field', dataset: { field: k } }, h('dt', label), h('dd', shown)));
  }
  return dl;
}

// A table: columns [{label, cell: (row) => node|string, className}].
// rowAttrs(row), when given, are the attributes of each body row (e.g. data-case for tests and links).
export function table(rows, columns, { caption, className, rowAttrs } = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: className },
      caption ? h('caption', caption) : null,
      h('thead', h('tr', columns.map((c) => h('th', { scope: 'col', class: c.className }, c.label)))),
      h('tbody', rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : {}, columns.map((c) => h('td', { class: c.className }, c.cell(r))))))));
}

export function errorText(err) {
  if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
  switch (err.code) {
    case 'forbidden': return t('error.forbidden');
    case 'not_found': return t('error.not_found');
    case 'erased': return t('error.erased');
    case 'unavailable': return t('error.unavailable');
    case 'network': return t('error.network');
    case 'invalid_field': return t('error.invalid_field', { field: fieldLabel(err.problem.field || '?') });
    case 'version_conflict': return t('error.version_conflict');
    case 'guard_failed': return t('error.guard_failed', { guard: hasCode('guard', err.problem.guard) ? code('guard', err.problem.guard) : (err.problem.guard || '') });
    case 'consent_missing': return t('error.consent_missing', { scope: code('scope', err.problem.scope) });
    case 'invalid_transition': return t('error.invalid_transition', { state: code('state', err.problem.current_state) });
    case 'invalid_personal_number': return t('error.invalid_personal_number');
    case 'case_open': return t('error.case_open');
    case 'rate_limited': return t('error.rate_limited');
    default: return t('error.generic', { status: err.status, code: err.code });
  }
}

export function errorBox(err) {
  const kind = err instanceof ApiError ? err.code : 'error';
  const link = kind === 'case_open' && err.problem.case_id
    ? [' ', h('a', { href: '#/cases/' + encodeURIComponent(err.problem.case_id), class: 'open-case-link' }, t('case.title', { id: err.problem.case_id }))]
    : null;
  return h('p', { class: 'notice notice-error', role: 'alert', dataset: { error: kind } }, errorText(err), link);
}

export function notice(text, kind = 'info') {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function section(title, ...children) {
  const id = 'sec-' + Math.random().toString(36).slice(2, 9);
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

export function field(labelText, control, help) {
  const id = control.id || 'f-' + Math.random().toString(36).slice(2, 9);
  control.id = id;
  let helpEl = null;
  if (help) {
    helpEl = h('span', { class: 'help', id: id + '-help' }, help);
    control.setAttribute('aria-describedby', id + '-help');
  }
  return h('div', { class: 'form-field' }, h('label', { for: id }, labelText), control, helpEl);
}

export function select(name, options, selected) {
  return h('select', { name },
    options.map(([v, label]) => h('option', { value: v, selected: v === selected }, label)));
}
