import * as api from '../api.js';
import { h, errorBox, notice, section, field, select } from '../dom.js';
import { t, code, formatNumber, formatPercent } from '../i18n.js';
import { chartFigure } from '../charts.js';


function scopeLabel(k) {
  return k === 'total' ? t('ind.total') : code('unit', k);
}

// The cell at a dotted path of a report block, and whether the API suppressed it.
function cellOf(report, path, previous) {
  if (!report) return { value: null, suppressed: false, missing: true };
  const block = previous ? report.previous_year : report;
  let v = block;
  for (const p of path.split('.')) v = v == null ? undefined : v[p];
  const name = (previous ? 'previous_year.' : '') + path;
  const suppressed = (report.suppressed || []).includes(name);
  return { value: typeof v === 'number' ? v : null, suppressed };
}

function cellNode(cell, { percent, suppressBelow } = {}) {
  if (cell.suppressed) {
    return h('span', { class: 'suppressed-cell', dataset: { suppressed: 'true' }, title: t('suppressed', { n: suppressBelow }) }, t('suppressed.short'));
  }
  if (cell.value === null) return h('span', { class: 'muted' }, '–');
  return document.createTextNode(percent ? formatPercent(cell.value) : formatNumber(cell.value));
}

function metNode(report, key) {
  const m = report && report.targets && report.targets[key] ? report.targets[key].met : null;
  return document.createTextNode(m === true ? t('yes') : m === false ? t('no') : '–');
}

function dataTable(title, headers, rows, id) {
  return h('details', { class: 'chart-table', open: true },
    h('summary', t('ind.table', { title })),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'indicator-table', dataset: { table: id } },
        h('thead', h('tr', h('th', { scope: 'col' }, ''), headers.map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', rows.map(([label, cells]) => h('tr', h('th', { scope: 'row' }, label), cells.map((c) => h('td', { class: 'num' }, c))))))));
}

export async function renderIndicators(main, query, ctx) {
  // The model's units (GET /v1/workflows, read at sign-in), then the total.
  const SCOPES = [...(ctx.caps.units || []), 'total'];
  const thisYear = new Date().getFullYear();
  const year = /^\d{4}$/.test(query.get('year') || '') ? Number(query.get('year')) : thisYear;
  const prev = year - 1;
  main.appendChild(h('h1', { tabindex: '-1' }, t('ind.title')));

  const years = [];
  for (let y = thisYear; y >= 2024; y--) years.push([String(y), String(y)]);
  if (!years.some(([y]) => Number(y) === year)) years.push([String(year), String(year)]);
  const yearSel = select('year', years, String(year));
  yearSel.id = 'ind-year';
  main.appendChild(h('form', {
    class: 'filters', id: 'ind-form',
    onsubmit: (ev) => { ev.preventDefault(); ctx.navigate('#/indicators' + api.query({ year: yearSel.value })); },
  }, field(t('ind.year'), yearSel), h('button', { type: 'submit', id: 'ind-show' }, t('ind.show'))));

  const out = h('div', { id: 'indicators', 'aria-live': 'polite' }, notice(t('loading')));
  main.appendChild(out);
  const results = await Promise.allSettled(SCOPES.map((u) => api.get('/v1/indicators' + api.query({ year, unit: u === 'total' ? '' : u }))));
  if (!ctx.isCurrent()) return;
  const failed = results.find((r) => r.status === 'rejected');
  if (failed && results.every((r) => r.status === 'rejected')) {
    out.replaceChildren(errorBox(failed.reason));
    return;
  }
  const reports = {};
  SCOPES.forEach((u, i) => { reports[u] = results[i].status === 'fulfilled' ? results[i].value : null; });
  const any = reports.total || Object.values(reports).find(Boolean);
  const suppressBelow = any.suppress_below || 5;
  const nSuppressed = Object.values(reports).reduce((n, r) => n + (r ? (r.suppressed || []).length : 0), 0);
  const series = [{ key: 'prev', label: String(prev), className: 'prev' }, { key: 'cur', label: String(year), className: 'cur' }];
  const categories = SCOPES.map((u) => ({ key: u, label: scopeLabel(u) }));
  const children = [];

  children.push(h('p', {}, t('ind.intro', { year, prev })));
  children.push(h('p', { class: nSuppressed ? 'notice notice-warning' : 'notice', id: 'suppressed-summary', dataset: { count: nSuppressed } },
    nSuppressed ? t('ind.suppressed.note', { n: nSuppressed, k: suppressBelow }) : t('ind.suppressed.none')));
  if (failed) children.push(errorBox(failed.reason));

  const grid = h('div', { class: 'chart-grid' });
  children.push(grid);
  // I1a and I1b: counts per unit, this year against the previous year.
  for (const [key, titleKey, id] of [['referrals', 'ind.i1a', 'i1a'], ['cases_booked', 'ind.i1b', 'i1b']]) {
    const title = t(titleKey);
    const cell = (u, se) => cellOf(reports[u], key, se === 'prev');
    grid.appendChild(chartFigure({
      id, title, label: t('ind.chart.label', { title, year, prev }), categories, series, cell, suppressBelow,
    }, dataTable(title, [String(prev), String(year), t('ind.met')],
      SCOPES.map((u) => [scopeLabel(u), [cellNode(cell(u, 'prev'), { suppressBelow }), cellNode(cell(u, 'cur'), { suppressBelow }), metNode(reports[u], key)]]), id)));
  }

  // I2 and I3: shares, with I2's target line.
  for (const [key, titleKey, id] of [['started_after_conversation', 'ind.i2', 'i2'], ['rom_started', 'ind.i3', 'i3']]) {
    const title = t(titleKey);
    const cell = (u, se) => cellOf(reports[u], key + '.share', se === 'prev');
    let target = null;
    const tg = any.targets && any.targets[key];
    if (key === 'started_after_conversation') {
      const v = tg && typeof tg.value === 'number' ? tg.value : 0.5;
      target = { value: v, label: t('ind.target.line', { p: formatPercent(v) }), shortLabel: t('ind.target', { p: formatPercent(v) }) };
    }
    // One cell per year: "64 % (14/22)", or "Dold" when the API hid the ratio.
    const ratioCell = (u, previous) => {
      const sh = cellOf(reports[u], key + '.share', previous);
      const nu = cellOf(reports[u], key + '.numerator', previous);
      const de = cellOf(reports[u], key + '.denominator', previous);
      if (sh.suppressed || nu.suppressed || de.suppressed) return cellNode({ value: null, suppressed: true }, { suppressBelow });
      if (sh.value === null) return h('span', { class: 'muted', title: t('ind.nodata') }, nu.value !== null ? `– (${nu.value}/${de.value})` : '–');
      return h('span', {}, formatPercent(sh.value), ' ', h('span', { class: 'muted' }, `(${nu.value}/${de.value})`));
    };
    grid.appendChild(chartFigure({
      id, title, label: t('ind.chart.label', { title, year, prev }) + (target ? ' ' + target.label + '.' : ''),
      categories, series, cell, percent: true, target, suppressBelow,
    }, dataTable(title, [`${prev} ${t('ind.ratio')}`, `${year} ${t('ind.ratio')}`, t('ind.met')],
      SCOPES.map((u) => [scopeLabel(u), [ratioCell(u, true), ratioCell(u, false), metNode(reports[u], key)]]), id)));
  }

  // I4: conversations held by gender, one small chart per unit and the total.
  const genders = [['women', 'ind.women'], ['men', 'ind.men'], ['unknown', 'ind.unknown'], ['total', 'ind.sum']];
  const i4Title = t('ind.i4');
  const smalls = SCOPES.map((u) => {
    const cell = (g, se) => cellOf(reports[u], 'conversations_held.' + g, se === 'prev');
    return chartFigure({
      id: 'i4-' + u, title: `${i4Title} – ${scopeLabel(u)}`, label: t('ind.chart.label', { title: `${i4Title} – ${scopeLabel(u)}`, year, prev }),
      categories: genders.map(([g, k]) => ({ key: g, label: t(k) })), series, cell, suppressBelow,
    }, null);
  });
  const i4Headers = [];
  for (const [, k] of genders) i4Headers.push(`${t(k)} ${prev}`, `${t(k)} ${year}`);
  const i4Rows = SCOPES.map((u) => {
    const cells = [];
    for (const [g] of genders) {
      cells.push(cellNode(cellOf(reports[u], 'conversations_held.' + g, true), { suppressBelow }));
      cells.push(cellNode(cellOf(reports[u], 'conversations_held.' + g, false), { suppressBelow }));
    }
    return [scopeLabel(u), cells];
  });
  children.push(h('section', { class: 'i4', 'aria-labelledby': 'i4-h' },
    h('h2', { id: 'i4-h' }, i4Title),
    h('div', { class: 'small-multiples' }, smalls),
    dataTable(i4Title, i4Headers, i4Rows, 'i4')));

  // A1: group activities (table only).
  const a1 = t('ind.a1');
  children.push(section(a1, dataTable(a1, [String(prev), String(year), t('ind.met')],
    SCOPES.map((u) => [scopeLabel(u), [
      cellNode(cellOf(reports[u], 'group_activities', true), { suppressBelow }),
      cellNode(cellOf(reports[u], 'group_activities', false), { suppressBelow }),
      metNode(reports[u], 'group_activities')]]), 'a1')));
  if (any.definitions) children.push(h('p', { class: 'muted' }, t('ind.definitions', { d: any.definitions })));
  out.replaceChildren(...children);
}
