import * as api from '../api.js';
import { h, table, timeEl, errorBox, notice, section, field, select } from '../dom.js';
import { t, code } from '../i18n.js';
import { meetingName, commandForm } from '../commands.js';
import { latestWorkflow, loadModel } from './workflows.js';
import { unitCases } from './meeting.js';

function defaults() {
  const now = new Date();
  const y = now.getFullYear(), m = now.getMonth() + 1;
  const month = `${y}-${String(m).padStart(2, '0')}`;
  // The latest quarter that has ended: its list is generated on its last day.
  let q = Math.ceil(m / 3) - 1, qy = y;
  if (q === 0) { q = 4; qy = y - 1; }
  return { month, year: String(qy), quarter: 'Q' + q };
}

export async function renderLists(main, query, ctx) {
  main.appendChild(h('h1', { tabindex: '-1' }, t('lists.title')));
  const units = ctx.caps.listUnits;
  if (!units.length) {
    main.appendChild(notice(t('lists.no_units')));
    return;
  }
  const d = defaults();
  const kind = query.get('kind') === 'progression' ? 'progression' : 'monthly';
  const unit = units.includes(query.get('unit')) ? query.get('unit') : units[0];
  const month = /^\d{4}-\d{2}$/.test(query.get('month') || '') ? query.get('month') : d.month;
  const [qYear, qQuarter] = /^\d{4}-Q[1-4]$/.test(query.get('quarter') || '') ? query.get('quarter').split('-') : [d.year, d.quarter];

  const kindSel = select('kind', [['monthly', t('lists.monthly')], ['progression', t('lists.progression')]], kind);
  kindSel.id = 'list-kind';
  const unitSel = select('unit', units.map((u) => [u, code('unit', u)]), unit);
  unitSel.id = 'list-unit';
  const monthInput = h('input', { type: 'text', id: 'list-month', name: 'month', value: month, inputmode: 'numeric', autocomplete: 'off', placeholder: t('ph.month'), pattern: '\\d{4}-\\d{2}', size: '8' });
  const thisYear = new Date().getFullYear();
  const years = [];
  for (let y = thisYear; y >= 2024; y--) years.push([String(y), String(y)]);
  const yearSel = select('year', years, qYear);
  yearSel.id = 'list-year';
  const quarterSel = select('quarter', ['Q1', 'Q2', 'Q3', 'Q4'].map((q) => [q, q]), qQuarter);
  quarterSel.id = 'list-quarter';
  const monthField = field(t('lists.month'), monthInput, t('lists.month.help'));
  const quarterFields = h('div', { class: 'row' }, field(t('lists.year'), yearSel), field(t('lists.quarter'), quarterSel));
  const syncKind = () => {
    const monthly = kindSel.value === 'monthly';
    monthField.hidden = !monthly;
    quarterFields.hidden = monthly;
  };
  kindSel.addEventListener('change', syncKind);
  syncKind();

  const params = () => (kindSel.value === 'monthly'
    ? { unit: unitSel.value, month: monthInput.value }
    : { unit: unitSel.value, quarter: `${yearSel.value}-${quarterSel.value}` });
  const path = () => `/v1/lists/${kindSel.value}` + api.query(params());

  const dlStatus = h('div', { id: 'download-status', 'aria-live': 'polite' });
  const downloadAs = async (accept, ext) => {
    dlStatus.replaceChildren();
    const p = params();
    const name = `${kindSel.value}_${p.unit}_${p.month || p.quarter}.${ext}`;
    try {
      const r = await api.download(path(), accept, name);
      dlStatus.appendChild(h('p', { class: 'notice notice-ok', role: 'status', dataset: { file: r.name } }, t('lists.downloaded', { name: r.name })));
    } catch (e) {
      dlStatus.appendChild(e.code === 'not_found' ? notice(t('lists.not_generated'), 'warning') : errorBox(e));
    }
  };

  const form = h('form', {
    class: 'filters', id: 'list-form',
    onsubmit: (ev) => {
      ev.preventDefault();
      ctx.navigate('#/lists' + api.query({ kind: kindSel.value, ...params() }));
    },
  },
  field(t('lists.kind'), kindSel),
  field(t('lists.unit'), unitSel),
  monthField,
  quarterFields,
  h('div', { class: 'buttons' },
    h('button', { type: 'submit', id: 'list-show' }, t('lists.show')),
    h('button', { type: 'button', class: 'secondary', id: 'download-csv', onclick: () => downloadAs('text/csv', 'csv') }, t('lists.csv')),
    h('button', { type: 'button', class: 'secondary', id: 'download-xlsx', onclick: () => downloadAs(api.XLSX_TYPE, 'xlsx') }, t('lists.xlsx'))));
  main.appendChild(form);
  main.appendChild(dlStatus);

  const result = h('div', { id: 'list-result', 'aria-live': 'polite' });
  main.appendChild(result);
  result.appendChild(notice(t('loading')));
  let list;
  try {
    list = await api.get(path());
  } catch (e) {
    result.replaceChildren(e.code === 'not_found' ? notice(t('lists.not_generated'), 'warning') : errorBox(e));
    return;
  }
  if (!ctx.isCurrent()) return;
  const meta = h('dl', { class: 'fields summary', id: 'list-meta' },
    h('div', { class: 'field' }, h('dt', t('lists.id')), h('dd', { id: 'list-id', dataset: { listId: list.list_id } }, meetingName(list.list_id))),
    list.since ? h('div', { class: 'field' }, h('dt', t('lists.since')), h('dd', list.since)) : null,
    h('div', { class: 'field' }, h('dt', t('lists.generated_at')), h('dd', timeEl(list.generated_at))),
    list.kind === 'progression' ? h('div', { class: 'field' }, h('dt', t('lists.published_at')), h('dd', list.published_at ? timeEl(list.published_at) : t('none'))) : null,
    h('div', { class: 'field' }, h('dt', t('lists.content_hash')), h('dd', h('code', { class: 'hash' }, list.content_hash))));
  const cols = [
    { label: t('col.case'), cell: (c) => (ctx.caps.cases ? h('a', { href: '#/cases/' + encodeURIComponent(c.case_id) }, c.case_id) : c.case_id) },
    { label: t('col.state'), cell: (c) => code('state', c.state) },
    { label: t('col.referred_at'), cell: (c) => timeEl(c.referred_at) },
  ];
  if (list.kind !== 'progression') cols.push({ label: t('col.carried_over'), cell: (c) => (c.carried_over ? t('yes') : t('no')) });
  const cases = list.cases || [];
  // The quarterly list: the unit's AF officer chooses whom to ask about and publishes it; the SYV
  // answers per chosen person (RecordProgressionFeedback with the list as its reference, a form
  // generated from the definition).
  const may = ctx.may || [];
  const extra = [];
  const after = [];  // below the table: the choice is saved after it is made
  let rowAttrs;
  if (list.kind === 'progression') {
    const quarter = list.period || list.quarter || params().quarter;
    const [wf, model, known, selection] = await Promise.all([latestWorkflow(), loadModel(), unitCases(list.unit).catch(() => new Map()),
      api.get('/v1/lists/progression/selection' + api.query({ unit: list.unit, quarter })).catch(() => null)]);
    if (!ctx.isCurrent()) return;
    // Whom AF chose to ask Vux about (000 §5.1); null: no choice saved, everyone on the list.
    const chosen = selection && Array.isArray(selection.case_ids) ? new Set(selection.case_ids) : null;
    const isChosen = (id) => !chosen || chosen.has(id);
    rowAttrs = (c) => ({ dataset: { case: c.case_id, chosen: String(isChosen(c.case_id)) } });
    extra.push(h('p', { class: 'help', id: 'selection-summary' }, chosen
      ? t('lists.selection_saved', { n: chosen.size, total: cases.length }) : t('lists.no_selection')));
    if (may.includes('publish_list') && !list.published_at) {
      // The unit's AF officer chooses before publishing: a labelled checkbox per person, saved
      // with POST …/selection and shown again from GET …/selection after the reload.
      cols.push({
        label: t('col.chosen'),
        cell: (c) => h('label', { class: 'choose' },
          h('input', { type: 'checkbox', class: 'choose-case', id: 'choose-' + c.case_id, value: c.case_id, checked: isChosen(c.case_id), 'aria-label': t('lists.choose', { id: c.case_id }) }),
          ' ', t('lists.ask')),
      });
      const st = h('div', { id: 'selection-status', 'aria-live': 'polite' });
      extra.push(h('p', { class: 'help' }, t('lists.choose.help')));
      after.push(h('div', { class: 'buttons' }, h('button', {
        type: 'button', id: 'save-selection', class: 'secondary',
        onclick: async () => {
          st.replaceChildren();
          const ids = [...result.querySelectorAll('input.choose-case')].filter((x) => x.checked).map((x) => x.value);
          try {
            await api.post('/v1/lists/progression/selection', { unit: list.unit, quarter, case_ids: ids });
            sessionStorage.setItem('casetrail.notice', t('lists.selection_done'));
            ctx.navigate(location.hash);
          } catch (e) { st.appendChild(errorBox(e)); }
        },
      }, t('lists.save_selection'))), st);
    } else if (chosen) {
      cols.push({ label: t('col.chosen'), cell: (c) => h('span', { class: 'chosen-mark' }, chosen.has(c.case_id) ? t('lists.chosen') : t('lists.not_chosen')) });
    }
    const feedback = wf && (wf.commands || []).find((c) => c.name === 'RecordProgressionFeedback');
    if (feedback && (feedback.roles || []).includes(ctx.caps.role)) {
      cols.push({
        label: t('col.actions'),
        cell: (c) => {
          if (!isChosen(c.case_id)) return t('none');  // only the chosen are asked about (J4 chases only them)
          const now = known.get(c.case_id);
          if (!now || !(feedback.from || []).includes(now.state)) return now ? code('state', now.state) : t('none');
          const fid = 'feedback-' + c.case_id;
          const form = commandForm(feedback, wf, model, {
            caseId: c.case_id, version: now.version, unit: list.unit, skip: { list: list.list_id }, idPrefix: fid,
            onDone: () => {
              form.replaceWith(h('p', { class: 'notice', role: 'status', id: 'answered-' + c.case_id, tabindex: '-1' }, t('lists.answered')));
              result.querySelector('#answered-' + CSS.escape(c.case_id)).focus();
            },
          });
          return h('details', { class: 'command' }, h('summary', { id: 'open-' + fid }, t('lists.answer', { id: c.case_id })), form);
        },
      });
    }
    if (may.includes('publish_list') && !list.published_at) {
      const st = h('div', { id: 'publish-status', 'aria-live': 'polite' });
      extra.push(h('div', { class: 'buttons' }, h('button', {
        type: 'button', id: 'publish-list',
        onclick: async () => {
          st.replaceChildren();
          try {
            await api.post('/v1/lists/progression/publish', { unit: list.unit, quarter });
            sessionStorage.setItem('casetrail.notice', t('lists.published'));
            ctx.navigate(location.hash);
          } catch (e) { st.appendChild(errorBox(e)); }
        },
      }, t('lists.publish'))), st);
    }
  }
  const done = sessionStorage.getItem('casetrail.notice');
  if (done) {
    sessionStorage.removeItem('casetrail.notice');
    extra.unshift(h('p', { class: 'notice', role: 'status', id: 'list-notice' }, done));
  }
  result.replaceChildren(section(meetingName(list.list_id), meta, extra,
    cases.length ? table(cases, cols, { className: 'list-table', caption: meetingName(list.list_id), rowAttrs }) : notice(t('lists.empty')), after));
}
