/** Pieces of the demo page that draw: the forecast chart (inline SVG, no chart library) and the attention heatmap. */
import type { ForecastStep } from './infer.js';

const NS = 'http://www.w3.org/2000/svg';
const COLOURS = ['#3b5bdb', '#e8590c', '#2b8a3e', '#c2255c'];

function svg(tag: string, attrs: Record<string, string | number>, text = ''): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text) e.textContent = text;
  return e;
}

/** The history of each target (solid) followed by its forecast (dashed, with dots). */
export function forecastView(rows: Record<string, number>[], steps: ForecastStep[], targets: string[]): SVGElement {
  const W = 800, H = 300, L = 48, R = 16, T = 16, B = 32;
  const n = rows.length + steps.length;
  const all = targets.flatMap((t) => [...rows.map((r) => r[t]), ...steps.map((s) => s.values[t])]);
  let lo = Math.min(...all), hi = Math.max(...all);
  if (hi - lo < 1e-9) (lo -= 1), (hi += 1);
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const x = (i: number) => L + ((W - L - R) * i) / Math.max(1, n - 1);
  const y = (v: number) => T + ((H - T - B) * (hi - v)) / (hi - lo);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': 'forecast chart' });
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    root.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#eef0f5' }), svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, v.toPrecision(3)));
  }
  const split = x(rows.length - 1);
  root.append(svg('rect', { x: split, y: T, width: W - R - split, height: H - T - B, fill: '#f3f5fc' }));
  root.append(svg('text', { x: W - R, y: H - 10, 'text-anchor': 'end' }, `forecast, ${steps.length} steps`), svg('text', { x: L, y: H - 10 }, `the last ${rows.length} rows the model reads`));
  targets.forEach((t, k) => {
    const c = COLOURS[k % COLOURS.length];
    const hist = rows.map((r, i) => `${x(i)},${y(r[t])}`).join(' ');
    const fut = [`${x(rows.length - 1)},${y(rows[rows.length - 1][t])}`, ...steps.map((s, h) => `${x(rows.length + h)},${y(s.values[t])}`)].join(' ');
    root.append(svg('polyline', { points: hist, fill: 'none', stroke: c, 'stroke-width': 2 }));
    root.append(svg('polyline', { points: fut, fill: 'none', stroke: c, 'stroke-width': 2, 'stroke-dasharray': '6 4' }));
    steps.forEach((s, h) => root.append(svg('circle', { cx: x(rows.length + h), cy: y(s.values[t]), r: 4, fill: c, 'data-value': s.values[t] })));
    root.append(svg('text', { x: L + 8, y: T + 14 + 16 * k, style: `fill:${c};font-weight:600` }, `${t} (solid: history, dashed: forecast)`));
  });
  return root;
}

/** The attention matrix as a grid: one row per output token, one column per source token, darker = more weight. */
export function attentionView(source: string[], target: string[], weights: number[][]): HTMLElement {
  const show = (t: string) => (t === ' ' ? '␣' : t);
  const table = document.createElement('table');
  table.className = 'heat';
  const head = table.insertRow();
  head.append(document.createElement('th')); // the corner
  for (const s of source) {
    const th = document.createElement('th');
    th.textContent = show(s);
    head.append(th);
  }
  weights.forEach((row, i) => {
    const tr = table.insertRow();
    const th = document.createElement('th');
    th.textContent = show(target[i]);
    tr.append(th);
    row.forEach((w) => {
      const td = tr.insertCell();
      td.style.background = `rgba(59, 91, 219, ${w.toFixed(3)})`;
      td.title = w.toFixed(3);
      td.dataset.weight = String(w);
    });
  });
  return table;
}

/** A task the page cannot show yet. */
export function unsupportedTask(task: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'muted';
  p.textContent = `The demo page does not show ${task} models yet.`;
  return p;
}
