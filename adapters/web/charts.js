// Bar charts as inline SVG, no library. Suppressed cells (small counts hidden from the strategic
// group) are drawn as hatched stubs and named as such; a target can be drawn as a dashed line.

import { s, h } from './dom.js';
import { t, formatNumber, formatPercent } from './i18n.js';

// A round step for about four grid lines, and the axis maximum it gives.
function niceScale(v, percent) {
  if (percent) return { max: 1, step: 0.25 };
  if (!(v > 0)) return { max: 4, step: 1 };
  const raw = v / 4;
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  let step = pow;
  for (const m of [1, 2, 5, 10]) { if (m * pow >= raw) { step = m * pow; break; } }
  step = Math.max(1, step);
  return { max: Math.ceil(v / step) * step, step };
}

// cell: {value: number|null, suppressed: bool}
// opts: {title, categories: [{key, label}], series: [{key, label, className}],
//        cell(categoryKey, seriesKey), percent, target: {value, label}, suppressBelow}
export function barChart(opts) {
  const { categories, series, percent } = opts;
  const W = opts.width || 560, H = opts.height || 250;
  const left = 46, right = opts.target ? 74 : 12, top = 34, bottom = 34;
  const plotW = W - left - right, plotH = H - top - bottom;
  let max = 0;
  for (const c of categories) for (const se of series) {
    const cell = opts.cell(c.key, se.key);
    if (cell && typeof cell.value === 'number') max = Math.max(max, cell.value);
  }
  if (opts.target) max = Math.max(max, opts.target.value);
  const scale = niceScale(max, percent);
  max = scale.max;
  const y = (v) => top + plotH - (v / max) * plotH;
  const fmt = (v) => (percent ? formatPercent(v) : formatNumber(v));
  const id = 'ch-' + Math.random().toString(36).slice(2, 9);

  const svg = s('svg', {
    class: 'chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-labelledby': id + '-t',
    'data-chart': opts.id || '',
  }, s('title', { id: id + '-t' }, opts.label || opts.title));
  svg.appendChild(s('defs', {},
    s('pattern', { id: id + '-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 6, height: 6, class: 'hatch-bg' }),
      s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' }))));

  // Axis and grid.
  for (let v = 0; v <= max + 1e-9; v += scale.step) {
    svg.appendChild(s('line', { x1: left, x2: left + plotW, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }));
    svg.appendChild(s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, fmt(v)));
  }

  // Legend.
  let lx = left;
  const legend = s('g', { class: 'legend' });
  for (const [i, se] of series.entries()) {
    legend.appendChild(s('rect', { x: lx, y: 8, width: 12, height: 12, class: `bar series-${i} ${se.className || ''}` }));
    legend.appendChild(s('text', { x: lx + 16, y: 18 }, se.label));
    lx += 24 + se.label.length * 7;
  }
  legend.appendChild(s('rect', { x: lx, y: 8, width: 12, height: 12, class: 'bar suppressed', fill: `url(#${id}-hatch)` }));
  legend.appendChild(s('text', { x: lx + 16, y: 18 }, t('suppressed.short')));
  svg.appendChild(legend);

  const groupW = plotW / categories.length;
  const barW = Math.min(34, (groupW * 0.76) / series.length);
  categories.forEach((c, ci) => {
    const gx = left + ci * groupW + (groupW - barW * series.length) / 2;
    const g = s('g', { class: 'group', 'data-category': c.key });
    series.forEach((se, si) => {
      const cell = opts.cell(c.key, se.key) || { value: null, suppressed: false };
      const x = gx + si * barW;
      const label = `${c.label}, ${se.label}: `;
      if (cell.suppressed) {
        const hgt = 16;
        g.appendChild(s('g', { class: 'cell', 'data-series': se.key, 'data-suppressed': 'true' },
          s('title', {}, label + t('suppressed', { n: opts.suppressBelow || 5 })),
          s('rect', { x: x + 1, y: y(0) - hgt, width: barW - 2, height: hgt, class: 'bar suppressed', fill: `url(#${id}-hatch)` })));
      } else if (typeof cell.value === 'number') {
        const yy = y(cell.value);
        g.appendChild(s('g', { class: 'cell', 'data-series': se.key, 'data-value': cell.value },
          s('title', {}, label + fmt(cell.value)),
          s('rect', { x: x + 1, y: yy, width: barW - 2, height: Math.max(0, y(0) - yy), class: `bar series-${si} ${se.className || ''}` }),
          s('text', { x: x + barW / 2, y: yy - 3, 'text-anchor': 'middle', class: 'bar-value' }, fmt(cell.value))));
      } else {
        g.appendChild(s('g', { class: 'cell', 'data-series': se.key, 'data-empty': 'true' },
          s('title', {}, label + t('none')),
          s('text', { x: x + barW / 2, y: y(0) - 3, 'text-anchor': 'middle', class: 'bar-value' }, '–')));
      }
    });
    g.appendChild(s('text', { x: left + ci * groupW + groupW / 2, y: top + plotH + 18, 'text-anchor': 'middle', class: 'category' }, c.label));
    svg.appendChild(g);
  });

  if (opts.target) {
    const ty = y(opts.target.value);
    svg.appendChild(s('g', { class: 'target', 'data-target': opts.target.value },
      s('title', {}, opts.target.label),
      s('line', { x1: left, x2: left + plotW, y1: ty, y2: ty, class: 'target-line' }),
      s('text', { x: left + plotW + 4, y: ty + 4, class: 'target-label' }, opts.target.shortLabel || opts.target.label)));
  }
  return svg;
}

// A figure with the chart and, below it, the same numbers as a table.
export function chartFigure(opts, tableEl) {
  return h('figure', { class: 'chart-figure', dataset: { chart: opts.id || '' } },
    h('figcaption', h('h3', opts.title)),
    h('div', { class: 'chart-scroll' }, barChart(opts)),
    tableEl);
}
