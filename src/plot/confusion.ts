/**
 * confusion.svg (classification, and tagging over tags): true label (rows) against predicted
 * label (columns) on the test split, colour = the row-normalised share, each cell labelled with
 * its count.
 */
import { tf } from '../backend/index.js';
import type { LabelledSplit } from '../data/examples.js';
import { Confusion } from '../tasks/confusion.js';
import { HEAT, renderSvg, title, type ChartOption } from './chart.js';
import { forEachBatch, type Loaded } from './predictions.js';

export interface ConfusionData {
  /** names of the rows (truths met, known classes first) and the columns (known classes) */
  rows: string[];
  cols: string[];
  /** counts[r][c] */
  counts: number[][];
}

export function confusionOf(l: Loaded): ConfusionData {
  const s = l.split as LabelledSplit;
  const cm = new Confusion(s.numClasses);
  forEachBatch(l.model, l.split, l.cfg.train.eval_batch_size, ({ outputs, ys, weights }) => {
    const pred = tf.tidy(() => outputs.argMax(-1).reshape([-1]));
    const p = pred.dataSync();
    pred.dispose();
    const t = ys.dataSync();
    const w = weights?.dataSync();
    for (let i = 0; i < t.length; i++) if (!w || w[i] !== 0) cm.add(t[i], p[i]);
  });
  const C = s.numClasses;
  // labels training never saw are rows (always wrong) only when the split has them
  const ids = s.names.map((_, t) => t).filter((t) => t < C || Array.from({ length: C }, (_, p) => cm.get(t, p)).some((n) => n > 0));
  return {
    rows: ids.map((t) => s.names[t]),
    cols: s.names.slice(0, C),
    counts: ids.map((t) => Array.from({ length: C }, (_, p) => cm.get(t, p))),
  };
}

export function confusionSvg(c: ConfusionData, runName: string, what: { unit: string; split: string; accuracy: number }): string {
  const data: { value: [number, number, number, number]; label: { color: string } }[] = [];
  c.counts.forEach((row, r) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((n, p) => {
      const share = total ? n / total : 0;
      // rows top to bottom in label order (the y category axis is inverted); white counts on dark cells
      data.push({ value: [p, r, share, n], label: { color: share > 0.55 ? '#fff' : '#222' } });
    });
  });
  const cell = Math.max(28, Math.min(70, Math.floor(560 / Math.max(c.cols.length, c.rows.length))));
  const longest = Math.max(...[...c.rows, ...c.cols].map((s) => s.length));
  const left = 70 + Math.min(160, longest * 8);
  const width = Math.max(560, left + cell * c.cols.length + 120);
  const rotated = c.cols.length > 6;
  const bottom = 45 + (rotated ? Math.min(120, longest * 6) : 0);
  const height = 110 + cell * c.rows.length + bottom;
  const option: ChartOption = {
    title: title(`${runName}: confusion matrix (accuracy ${what.accuracy.toFixed(3)})`, `${what.split} split · ${what.unit} · rows normalised (colour), counts in cells`),
    grid: { left, top: 90, width: cell * c.cols.length, height: cell * c.rows.length },
    xAxis: {
      type: 'category', data: c.cols, name: `predicted ${what.unit === 'tokens' ? 'tag' : 'label'}`, nameLocation: 'middle', nameGap: bottom - 15,
      axisLabel: { rotate: rotated ? 45 : 0, interval: 0 }, splitArea: { show: true },
    },
    yAxis: {
      type: 'category', data: c.rows, inverse: true, name: `true ${what.unit === 'tokens' ? 'tag' : 'label'}`, nameLocation: 'middle', nameGap: left - 20,
      axisLabel: { interval: 0 }, splitArea: { show: true },
    },
    visualMap: {
      min: 0, max: 1, dimension: 2, calculable: false, orient: 'vertical', right: 10, top: 90, itemHeight: Math.min(200, cell * c.rows.length),
      text: ['share of row 1', '0'], inRange: { color: HEAT }, textStyle: { fontSize: 11 },
    },
    series: [{
      type: 'heatmap', name: 'share of true label', data,
      label: { show: true, formatter: (p: { value: unknown }) => String((p.value as number[])[3]), fontSize: 12 },
      itemStyle: { borderColor: '#ddd', borderWidth: 0.5 },
    }],
  } as ChartOption;
  return renderSvg(option, width, height);
}
