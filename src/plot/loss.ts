/**
 * loss.svg: training loss per logged step and validation loss per evaluation (top panel), the
 * task's headline metric per evaluation (bottom panel), the best evaluation marked on both.
 */
import { LEGEND, renderSvg, title, valueAxis, type ChartOption } from './chart.js';
import { HEADLINE } from './headline.js';
import { finalScore, points, type Row, type RunCurves } from './rundata.js';

const STEP_AXIS = 'step (optimizer steps)';

/**
 * the evaluation of the best checkpoint: metrics.json's best_step (with eval_every_steps an epoch
 * has several evaluations), else its best_epoch (runs from before best_step), else the lowest valid loss
 */
export function bestRow(run: RunCurves): Row | undefined {
  const { best_step: bs, best_epoch: be } = run.metrics ?? {};
  const byStep = typeof bs === 'number' ? run.history.find((r) => r.step === bs) : undefined;
  const byEpoch = typeof be === 'number' ? run.history.find((r) => r.epoch === be) : undefined;
  if (byStep ?? byEpoch) return byStep ?? byEpoch;
  const scored = run.history.filter((r) => r.valid_loss != null);
  return scored.length ? scored.reduce((a, r) => (r.valid_loss! < a.valid_loss! ? r : a)) : undefined;
}

/** null when the run has no curve to draw (a baseline fitted in one pass, or nothing evaluated yet) */
export function lossSvg(run: RunCurves): string | null {
  if (!run.history.length) return null;
  const h = HEADLINE[run.cfg.task];
  const targets = run.cfg.task === 'forecasting' ? (run.cfg.data.targets ?? run.cfg.data.features) : null;
  const unit = targets ? `${targets.join(', ')}: original units` : h.unit;
  const train = run.steps.length
    ? { name: 'train loss (per logged step)', data: points(run.steps, 'loss') }
    : { name: 'train loss (per evaluation)', data: points(run.history, 'train_loss') };
  const best = bestRow(run);
  const col = `valid_${h.metric}`;
  const perEval = run.history.some((r) => r[col] != null);
  const bestStep = best?.step ?? null;
  const series: Record<string, unknown>[] = [
    { type: 'line', name: train.name, data: train.data, showSymbol: train.data.length < 30, lineStyle: { width: 1.5 }, xAxisIndex: 0, yAxisIndex: 0 },
    { type: 'line', name: 'valid loss (per evaluation)', data: points(run.history, 'valid_loss'), symbolSize: 7, xAxisIndex: 0, yAxisIndex: 0 },
  ];
  if (best && best.valid_loss != null && bestStep != null) {
    series.push({
      type: 'scatter', name: 'best evaluation', data: [[bestStep, best.valid_loss]], symbol: 'diamond', symbolSize: 16, itemStyle: { color: '#2ca02c' },
      label: { show: true, position: 'top', formatter: `best (epoch ${best.epoch})`, fontSize: 11 }, xAxisIndex: 0, yAxisIndex: 0, z: 5,
    });
  }
  if (perEval) {
    const data = points(run.history, col);
    series.push({ type: 'line', name: `valid ${h.metric} (per evaluation)`, data, symbolSize: 7, xAxisIndex: 1, yAxisIndex: 1, itemStyle: { color: '#9467bd' } });
    const at = best ? data.find(([s]) => s === bestStep) : undefined;
    if (at) series.push({ type: 'scatter', name: 'best evaluation', data: [at], symbol: 'diamond', symbolSize: 16, itemStyle: { color: '#2ca02c' }, xAxisIndex: 1, yAxisIndex: 1, z: 5 });
  } else {
    // history.csv has no per-evaluation metric column: show the best checkpoint's final scores
    for (const [split, color] of [['valid', '#9467bd'], ['test', '#ff7f0e']] as const) {
      const v = finalScore(run, split, h.metric);
      if (v !== undefined && bestStep != null) {
        series.push({
          type: 'scatter', name: `${split} ${h.metric} (best checkpoint)`, data: [[bestStep, v]], symbolSize: 12, itemStyle: { color }, xAxisIndex: 1, yAxisIndex: 1,
          label: { show: true, position: 'left', formatter: `${split} ${v.toPrecision(3)}`, fontSize: 11 },
        });
      }
    }
  }
  const xRange = { min: 0, boundaryGap: [0, '6%'] };
  const option: ChartOption = {
    title: title(`${run.name}: loss and ${h.metric}`, `task ${run.cfg.task} · model ${run.cfg.model.type}${best ? ` · best evaluation at epoch ${best.epoch}, step ${best.step}` : ''}`),
    legend: LEGEND,
    grid: [
      { left: 80, right: 40, top: 125, height: 235 },
      { left: 80, right: 40, top: 435, height: 145 },
    ],
    xAxis: [
      valueAxis(STEP_AXIS, { gridIndex: 0, ...xRange, scale: false, nameGap: 28 }),
      valueAxis(STEP_AXIS, { gridIndex: 1, ...xRange, scale: false, nameGap: 28 }),
    ],
    yAxis: [valueAxis(`loss (${h.lossUnit})`, { gridIndex: 0, nameGap: 55 }), valueAxis(`${h.metric} (${unit})`, { gridIndex: 1, nameGap: 55 })],
    series: series as ChartOption['series'],
  } as ChartOption;
  return renderSvg(option, 900, 650);
}
