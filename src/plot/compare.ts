/**
 * plotCompare(runDirs, outSvg): the validation curves of several runs on one chart (valid loss per
 * evaluation; the headline metric per evaluation too when the runs' history.csv has it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SeqnetError, UsageError } from '../util/errors.js';
import { makeDirs, writeFileAtomic } from '../util/fs.js';
import { LEGEND, renderSvg, title, valueAxis, type ChartOption } from './chart.js';
import { HEADLINE } from './headline.js';
import { points, readRun, type RunCurves } from './rundata.js';

export function compareSvg(runs: RunCurves[]): string {
  const tasks = [...new Set(runs.map((r) => r.cfg.task))];
  const h = HEADLINE[runs[0].cfg.task];
  const col = `valid_${h.metric}`;
  const withMetric = tasks.length === 1 && runs.some((r) => r.history.some((x) => x[col] != null));
  const labels = uniqueNames(runs);
  const series = runs.flatMap((r, i) => [
    { type: 'line', name: labels[i], data: points(r.history, 'valid_loss'), symbolSize: 6, xAxisIndex: 0, yAxisIndex: 0 },
    ...(withMetric ? [{ type: 'line', name: labels[i], data: points(r.history, col), symbolSize: 6, xAxisIndex: 1, yAxisIndex: 1 }] : []),
  ]);
  const panels = withMetric ? 2 : 1;
  const top = 125;
  const ph = 250;
  const gap = 80;
  const lossUnit = tasks.length === 1 ? h.lossUnit : 'task loss';
  const option: ChartOption = {
    title: title(`validation curves: ${runs.length} runs${withMetric ? ` · valid loss and ${h.metric}` : ' · valid loss'}`, `tasks: ${tasks.join(', ')}`),
    legend: LEGEND,
    grid: Array.from({ length: panels }, (_, i) => ({ left: 80, right: 40, top: top + i * (ph + gap), height: ph })),
    xAxis: Array.from({ length: panels }, (_, i) => valueAxis('step (optimizer steps)', { gridIndex: i, min: 0, scale: false, nameGap: 28, boundaryGap: [0, '5%'] })),
    yAxis: [
      valueAxis(`valid loss (${lossUnit})`, { gridIndex: 0, nameGap: 55 }),
      ...(withMetric ? [valueAxis(`valid ${h.metric} (${h.unit})`, { gridIndex: 1, nameGap: 55 })] : []),
    ],
    series: series as ChartOption['series'],
  } as ChartOption;
  return renderSvg(option, 900, top + panels * (ph + gap));
}

/** folder names, with parent folders added where two runs share a name */
function uniqueNames(runs: RunCurves[]): string[] {
  const base = runs.map((r) => r.name);
  return base.map((b, i) => (base.filter((x) => x === b).length > 1 ? path.join(path.basename(path.dirname(path.resolve(runs[i].dir))), b) : b));
}

export function plotCompare(runDirs: string[], outSvg: string): string {
  if (!runDirs.length) throw new SeqnetError('compare: give at least one run directory.', 2);
  const runs = runDirs.map(readRun);
  const empty = runs.filter((r) => !r.history.some((x) => x.valid_loss != null));
  if (empty.length === runs.length) throw new SeqnetError(`compare: none of the runs has a validation curve (history.csv with valid_loss): ${runDirs.join(', ')}`, 4);
  const svg = compareSvg(runs);
  try {
    makeDirs(path.dirname(path.resolve(outSvg)));
    writeFileAtomic(outSvg, svg);
  } catch (e) {
    throw new UsageError(`${outSvg}: cannot write the chart there (${e instanceof Error ? e.message : String(e)}); give a writable .svg file path.`);
  }
  return outSvg;
}
