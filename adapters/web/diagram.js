// The state diagram of a workflow revision as inline SVG, from GET /v1/workflows: states as
// boxes in columns (breadth-first from the initial state), transitions as arrows, the case's
// current state marked.

import { s, h } from './dom.js';
import { t, code } from './i18n.js';

// The states a command leads to. /v1/workflows may give them as `outcomes` (the definition
// file's form: [{emits: [{event, to}]}]) or as `to` (a state or a list of states).
export function commandTargets(cmd) {
  const out = new Set();
  if (Array.isArray(cmd.outcomes)) {
    for (const o of cmd.outcomes) for (const e of o.emits || []) if (e.to) out.add(e.to);
  }
  if (typeof cmd.to === 'string') out.add(cmd.to);
  if (Array.isArray(cmd.to)) cmd.to.forEach((x) => x && out.add(x));
  if (Array.isArray(cmd.targets)) cmd.targets.forEach((x) => x && out.add(x));
  return [...out];
}

// Transitions {from, to, commands[]}, with from '*open' for commands allowed in any open state.
export function transitions(workflow) {
  const map = new Map();
  const add = (from, to, name) => {
    const k = from + '→' + to;
    if (!map.has(k)) map.set(k, { from, to, commands: [] });
    map.get(k).commands.push(name);
  };
  let initial = null;
  for (const cmd of workflow.commands || []) {
    const targets = commandTargets(cmd);
    if (!cmd.from || cmd.from.length === 0) {
      if (targets.length && !initial) initial = targets[0];
      continue;
    }
    for (const to of targets) for (const from of cmd.from) if (from !== to) add(from, to, cmd.name);
  }
  return { initial: initial || (workflow.states || [])[0], edges: [...map.values()] };
}

const BOX_W = 128;
const BOX_H = 40;
const COL_GAP = 56;
const ROW_GAP = 30;
const PAD = 16;

function layout(states, initial, edges) {
  const explicit = edges.filter((e) => e.from !== '*open');
  const outgoing = new Set(explicit.map((e) => e.from));
  const terminal = new Set(states.filter((st) => !outgoing.has(st)));
  const depth = new Map([[initial, 0]]);
  const queue = [initial];
  while (queue.length) {
    const cur = queue.shift();
    for (const e of explicit) {
      if (e.from === cur && !depth.has(e.to)) { depth.set(e.to, depth.get(cur) + 1); queue.push(e.to); }
    }
  }
  let maxOpen = 0;
  for (const st of states) if (!terminal.has(st) && depth.has(st)) maxOpen = Math.max(maxOpen, depth.get(st));
  const col = new Map();
  for (const st of states) {
    if (terminal.has(st)) col.set(st, maxOpen + 1);
    else col.set(st, depth.has(st) ? depth.get(st) : maxOpen + 1);
  }
  const columns = [];
  for (const st of states) {
    const c = col.get(st);
    (columns[c] = columns[c] || []).push(st);
  }
  const rows = Math.max(...columns.filter(Boolean).map((c) => c.length), 1);
  const pos = new Map();
  columns.forEach((list, c) => {
    if (!list) return;
    const offset = ((rows - list.length) * (BOX_H + ROW_GAP)) / 2;
    list.forEach((st, r) => {
      pos.set(st, { x: PAD + c * (BOX_W + COL_GAP), y: PAD + 22 + offset + r * (BOX_H + ROW_GAP) });
    });
  });
  const width = PAD * 2 + columns.length * BOX_W + (columns.length - 1) * COL_GAP;
  const height = PAD * 2 + 22 + rows * BOX_H + (rows - 1) * ROW_GAP + 56;
  return { pos, width, height, terminal };
}

// The point where the line from the box centre towards (tx, ty) leaves the box.
function boxExit(p, tx, ty) {
  const cx = p.x + BOX_W / 2, cy = p.y + BOX_H / 2;
  const dx = tx - cx, dy = ty - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const sx = dx === 0 ? Infinity : (BOX_W / 2) / Math.abs(dx);
  const sy = dy === 0 ? Infinity : (BOX_H / 2) / Math.abs(dy);
  const k = Math.min(sx, sy);
  return { x: cx + dx * k, y: cy + dy * k };
}

export function stateDiagram(workflow, currentState) {
  const states = workflow.states || [];
  const { initial, edges } = transitions(workflow);
  const { pos, width, height, terminal } = layout(states, initial, edges);
  const titleId = 'dg-' + Math.random().toString(36).slice(2, 9);
  const rev = /@(\d+)$/.exec(workflow.revision || '');
  const label = t('case.diagram.label', { revision: rev ? t('case.revision.words', { n: rev[1] }) : workflow.revision, state: currentState ? code('state', currentState) : t('none') });
  const svg = s('svg', {
    class: 'state-diagram', viewBox: `0 0 ${width} ${height}`, width, height,
    role: 'img', 'aria-labelledby': titleId, 'data-revision': workflow.revision,
  }, s('title', { id: titleId }, label));
  const defs = s('defs', {},
    s('marker', { id: titleId + '-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' })),
    s('marker', { id: titleId + '-arrow-open', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head arrow-head-open' })));
  svg.appendChild(defs);

  const edgeLayer = s('g', { class: 'edges' });
  svg.appendChild(edgeLayer);
  const pairs = new Set(edges.map((e) => e.from + '→' + e.to));
  for (const e of edges) {
    if (e.from === '*open') continue;
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const ac = { x: a.x + BOX_W / 2, y: a.y + BOX_H / 2 };
    const bc = { x: b.x + BOX_W / 2, y: b.y + BOX_H / 2 };
    // Bend every edge a little (more for pairs going both ways, and for long edges) so that
    // arrows do not run through other boxes or over each other.
    const dx = bc.x - ac.x, dy = bc.y - ac.y;
    const len = Math.hypot(dx, dy) || 1;
    const both = pairs.has(e.to + '→' + e.from);
    const bend = (both ? 22 : 10) + (Math.abs(dx) > BOX_W + COL_GAP + 1 ? 26 : 0);
    const nx = -dy / len, ny = dx / len;
    const mx = (ac.x + bc.x) / 2 + nx * bend, my = (ac.y + bc.y) / 2 + ny * bend;
    const p1 = boxExit(a, mx, my), p2 = boxExit(b, mx, my);
    const g = s('g', { class: 'edge', 'data-from': e.from, 'data-to': e.to },
      s('title', {}, `${code('state', e.from)} → ${code('state', e.to)}: ${e.commands.map((c) => code('cmd', c)).join(', ')}`),
      s('path', { d: `M ${p1.x} ${p1.y} Q ${mx} ${my} ${p2.x} ${p2.y}`, 'marker-end': `url(#${titleId}-arrow)` }));
    edgeLayer.appendChild(g);
  }

  // Commands allowed from every open state: one dashed arrow from a note to their target.
  const anyOpen = edges.filter((e) => e.from === '*open');
  anyOpen.forEach((e, i) => {
    const b = pos.get(e.to);
    if (!b) return;
    const nx = PAD + i * 10, ny = height - PAD - 12;
    const end = boxExit(b, b.x + BOX_W / 2, ny);
    const g = s('g', { class: 'edge edge-any-open', 'data-from': '*open', 'data-to': e.to },
      s('title', {}, `${t('case.diagram.anyopen')} → ${code('state', e.to)}: ${e.commands.map((c) => code('cmd', c)).join(', ')}`),
      s('path', { d: `M ${nx + 150} ${ny} L ${end.x} ${ny} L ${end.x} ${end.y}`, 'marker-end': `url(#${titleId}-arrow-open)` }),
      s('text', { x: nx, y: ny + 4, class: 'any-open-label' }, t('case.diagram.anyopen')));
    edgeLayer.appendChild(g);
  });

  const nodeLayer = s('g', { class: 'nodes' });
  svg.appendChild(nodeLayer);
  for (const st of states) {
    const p = pos.get(st);
    if (!p) continue;
    const isCurrent = st === currentState;
    const g = s('g', {
      class: ['state', isCurrent ? 'current' : '', terminal.has(st) ? 'terminal' : '', st === initial ? 'initial' : ''].filter(Boolean).join(' '),
      'data-state': st, 'aria-current': isCurrent ? 'true' : null,
    },
    s('rect', { x: p.x, y: p.y, width: BOX_W, height: BOX_H, rx: terminal.has(st) ? 18 : 6 }),
    s('text', { x: p.x + BOX_W / 2, y: p.y + BOX_H / 2 + 5, 'text-anchor': 'middle' }, code('state', st)));
    if (isCurrent) {
      g.appendChild(s('text', { x: p.x + BOX_W / 2, y: p.y - 7, 'text-anchor': 'middle', class: 'current-label' }, '▼ ' + t('case.diagram.marker')));
    }
    nodeLayer.appendChild(g);
  }
  return svg;
}

// The same transitions as a table, for keyboard and screen-reader users.
export function transitionTable(workflow) {
  const { edges } = transitions(workflow);
  return h('details', { class: 'transitions' },
    h('summary', t('case.diagram.transitions')),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', h('tr', h('th', { scope: 'col' }, t('case.diagram.from')), h('th', { scope: 'col' }, t('case.diagram.to')), h('th', { scope: 'col' }, t('case.diagram.commands')))),
      h('tbody', edges.map((e) => h('tr',
        h('td', e.from === '*open' ? t('case.diagram.anyopen') : code('state', e.from)),
        h('td', code('state', e.to)),
        h('td', e.commands.map((c) => code('cmd', c)).join(', '))))))));
}

export function hasTargets(workflow) {
  return (workflow.commands || []).some((c) => commandTargets(c).length > 0);
}
