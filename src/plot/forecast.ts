/**
 * forecast.svg: actual, predicted and naive (last observed value) over the test split, in original
 * units, one panel per target and horizon step (at most MAX_PANELS; steps evenly spaced, first
 * and last always kept, when there are more).
 */
import { unscaleValue } from '../data/scaler.js';
import type { ForecastSplit } from '../data/windows.js';
import { LEGEND, renderSvg, title, valueAxis, type ChartOption } from './chart.js';
import { forEachBatch, type Loaded } from './predictions.js';

const MAX_PANELS = 6;

export interface ForecastPanel {
  target: string;
  /** 1-based horizon step */
  step: number;
  /** [row of the split, value] per window */
  actual: [number, number][];
  predicted: [number, number][];
  naive: [number, number][];
}

/** the horizon steps drawn: all when they fit, else evenly spaced with the first and last */
export function stepsShown(horizon: number, targets: number): number[] {
  const per = Math.max(1, Math.floor(MAX_PANELS / targets));
  if (horizon <= per) return Array.from({ length: horizon }, (_, h) => h + 1);
  if (per === 1) return [1];
  return [...new Set(Array.from({ length: per }, (_, i) => 1 + Math.round((i * (horizon - 1)) / (per - 1))))];
}

export function forecastPanels(l: Loaded): ForecastPanel[] {
  const s = l.split as ForecastSplit;
  const { targets } = s.series;
  const K = s.K;
  const { lookback: L, horizon: H } = s.shape;
  const shown = stepsShown(H, K).slice(0, MAX_PANELS);
  const panels = targets.slice(0, MAX_PANELS).flatMap((target) => shown.map((step): ForecastPanel => ({ target, step, actual: [], predicted: [], naive: [] })));
  forEachBatch(l.model, l.split, l.cfg.train.eval_batch_size, ({ outputs, first }) => {
    const o = outputs.dataSync(); // [B, H, K] scaled
    const B = outputs.shape[0];
    for (let b = 0; b < B; b++) {
      const start = s.start(first + b);
      for (const p of panels) {
        const k = targets.indexOf(p.target);
        const h = p.step - 1;
        const t = start + L + h; // the row of the split this value forecasts
        p.actual.push([t, s.raw[t * K + k]]);
        p.predicted.push([t, unscaleValue(s.scaler, p.target, o[(b * H + h) * K + k])]);
        p.naive.push([t, s.raw[(start + L - 1) * K + k]]);
      }
    }
  });
  return panels;
}

export function forecastSvg(panels: ForecastPanel[], runName: string, o: { split: string; horizon: number; mae?: number }): string {
  const PANEL_H = 200;
  const TOP = 105;
  const GAP = 75;
  const series = panels.flatMap((p, i) => [
    { type: 'line', name: 'actual', data: p.actual, showSymbol: false, lineStyle: { width: 1.6, color: '#222' }, itemStyle: { color: '#222' }, xAxisIndex: i, yAxisIndex: i },
    { type: 'line', name: 'predicted (model)', data: p.predicted, showSymbol: false, lineStyle: { width: 1.6, color: '#1f77b4' }, itemStyle: { color: '#1f77b4' }, xAxisIndex: i, yAxisIndex: i },
    { type: 'line', name: 'naive (last observed value)', data: p.naive, showSymbol: false, lineStyle: { width: 1.2, type: 'dashed', color: '#ff7f0e' }, itemStyle: { color: '#ff7f0e' }, xAxisIndex: i, yAxisIndex: i },
  ]);
  const option: ChartOption = {
    title: title(
      `${runName}: forecast vs actual${o.mae === undefined ? '' : ` (MAE ${o.mae.toPrecision(4)})`}`,
      `${o.split} split, original units · horizon ${o.horizon}${panels.length > 1 ? ' · one panel per target and step' : ''}`,
    ),
    legend: LEGEND,
    grid: panels.map((_, i) => ({ left: 80, right: 30, top: TOP + i * (PANEL_H + GAP), height: PANEL_H })),
    xAxis: panels.map((_, i) => valueAxis(`row of the ${o.split} split (time steps)`, { gridIndex: i, nameGap: 26 })),
    yAxis: panels.map((p, i) => valueAxis(`${p.target} at t+${p.step} (original units)`, { gridIndex: i, nameGap: 55 })),
    series: series as ChartOption['series'],
  } as ChartOption;
  return renderSvg(option, 900, TOP + panels.length * (PANEL_H + GAP) + 10);
}
