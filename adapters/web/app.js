// casetrail web UI: sign-in, role-driven navigation and hash routing.
//   #/cases            the case list (filters unit, state)
//   #/cases/C-…        a case: state diagram, timeline, time travel (?as_of=&valid_at=)
//   #/audit            compliance: verification and opening an audit
//   #/audit/C-…        the audit of a case, register extract, erasure
//   #/lists            monthly and quarterly lists with CSV/XLSX downloads
//   #/indicators       the strategic group's dashboard
//   #/reminders        reminders and their delivery (worker, admin, compliance)
//   #/start            what to do next (roles that handle cases)
//   #/person           find a person by personal identity number, register, consent, refer
//   #/meeting          the monthly meeting: its list, recording it and each case's review

import * as api from './api.js';
import { t, lang, setLang, code } from './i18n.js';
import { h, clear, errorBox } from './dom.js';
import { renderSignIn } from './views/signin.js';
import { renderCases } from './views/cases.js';
import { renderCase } from './views/case.js';
import { renderAuditLanding, renderAudit } from './views/audit.js';
import { renderLists } from './views/lists.js';
import { renderIndicators } from './views/indicators.js';
import { renderReminders } from './views/reminders.js';
import { renderStart } from './views/start.js';
import { renderPerson } from './views/person.js';
import { renderMeeting } from './views/meeting.js';
import { loadModel } from './views/workflows.js';

const state = { caps: null, renderSeq: 0, lastPath: null, may: [] };
const CAPS_KEY = 'casetrail.caps';

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { path, parts, query: new URLSearchParams(qs || '') };
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// The menu: what the probes allowed, and for the workspace views what the model lets the role do
// (`may` of GET /v1/workflows → model.roles); the API still decides every request.
function navItems(caps) {
  const items = [];
  const may = state.may || [];
  const works = caps.cases && may.includes('record_activity');
  if (works) items.push(['#/start', 'nav.start', 'start']);
  if (caps.cases) items.push(['#/cases', 'nav.cases', 'cases']);
  if (works && may.includes('register_subject')) items.push(['#/person', 'nav.person', 'person']);
  if (works && may.includes('work_lists') && caps.listUnits.length) items.push(['#/meeting', 'nav.meeting', 'meeting']);
  if (caps.verify) items.push(['#/audit', 'nav.compliance', 'audit']);
  if (caps.listUnits.length) items.push(['#/lists', 'nav.lists', 'lists']);
  if (caps.indicators) items.push(['#/indicators', 'nav.indicators', 'indicators']);
  if (caps.reminders) items.push(['#/reminders', 'nav.reminders', 'reminders']);
  return items;
}

function renderChrome() {
  document.documentElement.lang = lang();
  document.title = t('app.title');
  const header = clear(document.getElementById('header'));
  const caps = state.caps;
  const { parts } = parseHash();
  const brand = h('div', { class: 'brand' },
    h('a', { href: caps ? '#/' : '#/signin', class: 'brand-name' }, t('app.title')),
    h('span', { class: 'brand-tagline' }, t('app.tagline')));
  const tools = h('div', { class: 'tools' });
  if (caps) {
    const roleText = caps.unit ? t('signedin.unit', { role: code('role', caps.role), unit: code('unit', caps.unit) }) : code('role', caps.role);
    tools.appendChild(h('span', { class: 'whoami', id: 'whoami', dataset: { role: caps.role, unit: caps.unit || '' } }, t('signedin.as', { role: roleText })));
  }
  const other = lang() === 'sv' ? 'en' : 'sv';
  tools.appendChild(h('button', {
    type: 'button', id: 'lang-switch', class: 'link-button', lang: other, 'aria-label': t('lang.switch.label'),
    onclick: () => { setLang(other); route(true); },
  }, t('lang.switch')));
  if (caps) {
    tools.appendChild(h('button', { type: 'button', id: 'signout', class: 'secondary', onclick: signOut }, t('signout')));
  }
  header.appendChild(h('div', { class: 'header-row' }, brand, tools));
  if (caps) {
    const current = parts[0] || '';
    const nav = h('nav', { 'aria-label': t('nav.label') },
      h('ul', navItems(caps).map(([href, key, id]) => h('li',
        h('a', { href, id: 'nav-' + id, 'aria-current': current === id ? 'page' : null }, t(key))))));
    header.appendChild(nav);
  }
  document.getElementById('skip-link').textContent = t('skip');
}

function signOut() {
  sessionStorage.removeItem('casetrail.after');
  api.clearToken();
  sessionStorage.removeItem(CAPS_KEY);
  state.caps = null;
  navigate('#/signin');
}

async function signIn(tok) {
  const caps = await api.probe(tok);
  api.setToken(tok);
  sessionStorage.setItem(CAPS_KEY, JSON.stringify(caps));
  state.caps = caps;
  await loadMay();
  return caps;
}

async function loadMay() {
  try {
    state.may = ((((await loadModel()).roles || {})[state.caps.role]) || {}).may || [];
  } catch (_) { state.may = []; }
}

export function homeFor(caps) {
  const items = navItems(caps);
  return items.length ? items[0][0] : '#/home';
}

async function route(force) {
  const seq = ++state.renderSeq;
  const { path, parts, query } = parseHash();
  const main = document.getElementById('main');

  if (!state.caps && api.token()) {
    // After a reload: what the probes found at sign-in (same tab), else probe again.
    try { state.caps = JSON.parse(sessionStorage.getItem(CAPS_KEY) || 'null'); } catch (_) { state.caps = null; }
    if (!state.caps) {
      try {
        state.caps = await api.probe();
        sessionStorage.setItem(CAPS_KEY, JSON.stringify(state.caps));
      } catch (e) {
        api.clearToken();
        state.caps = null;
      }
    }
    if (seq !== state.renderSeq) return;
  }
  if (!state.caps) {
    renderChrome();
    clear(main);
    const expired = sessionStorage.getItem('casetrail.expired') === '1';
    sessionStorage.removeItem('casetrail.expired');
    // A deep link (#/cases/C-…) opened before signing in is shown after it.
    if (parts.length && parts[0] !== 'signin') sessionStorage.setItem('casetrail.after', location.hash);
    renderSignIn(main, {
      signIn,
      expired,
      onDone: (caps) => {
        const after = sessionStorage.getItem('casetrail.after');
        sessionStorage.removeItem('casetrail.after');
        navigate(after || homeFor(caps));
      },
    });
    if (parts[0] !== 'signin' && location.hash !== '') history.replaceState(null, '', '#/signin');
    main.setAttribute('aria-busy', 'false');
    document.body.dataset.ready = String(seq);
    return;
  }
  await loadMay();
  // A 401 while loading the model signs out (the handler navigates to the sign-in).
  if (seq !== state.renderSeq || !state.caps) return;
  if (parts.length === 0 || parts[0] === 'signin') {
    navigate(homeFor(state.caps));
    return;
  }
  renderChrome();
  clear(main);
  main.setAttribute('aria-busy', 'true');
  const ctx = { caps: state.caps, navigate, isCurrent: () => seq === state.renderSeq, may: state.may };
  try {
    switch (parts[0]) {
      case 'cases':
        if (parts[1]) await renderCase(main, parts[1], query, ctx);
        else await renderCases(main, query, ctx);
        break;
      case 'audit':
        if (parts[1]) await renderAudit(main, parts[1], ctx);
        else await renderAuditLanding(main, ctx);
        break;
      case 'lists':
        await renderLists(main, query, ctx);
        break;
      case 'indicators':
        await renderIndicators(main, query, ctx);
        break;
      case 'reminders':
        await renderReminders(main, query, ctx);
        break;
      case 'start':
        await renderStart(main, query, ctx);
        break;
      case 'person':
        await renderPerson(main, query, ctx);
        break;
      case 'meeting':
        await renderMeeting(main, query, ctx);
        break;
      case 'home':
      default:
        main.appendChild(h('h1', { tabindex: '-1' }, t('home.title')));
        main.appendChild(h('p', { class: 'notice' }, t('home.noviews')));
    }
  } catch (e) {
    if (seq !== state.renderSeq) return;
    main.appendChild(errorBox(e));
  }
  if (seq !== state.renderSeq) return;
  // Move focus to the page heading on navigation (not on a language switch), or to the
  // confirmation a view asks for after saving.
  if (ctx.focusAfter && !force) ctx.focusAfter.focus();
  else if (state.lastPath !== path && !force) {
    const h1 = main.querySelector('h1');
    if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: false }); }
  }
  state.lastPath = path;
  main.setAttribute('aria-busy', 'false');
  document.body.dataset.ready = String(seq);
}

api.setUnauthenticatedHandler(() => {
  api.clearToken();
  sessionStorage.removeItem(CAPS_KEY);
  state.caps = null;
  sessionStorage.setItem('casetrail.expired', '1');
  if (!location.hash.startsWith('#/signin')) sessionStorage.setItem('casetrail.after', location.hash);
  navigate('#/signin');
});

// The skip link must not change the hash (the router owns it).
document.getElementById('skip-link').addEventListener('click', (ev) => {
  ev.preventDefault();
  document.getElementById('main').focus();
});

window.addEventListener('hashchange', () => route());
route();
