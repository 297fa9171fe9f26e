/**
 * writePlots(runDir): every picture the run's task has, into `<run>/plots/`: loss.svg always (when
 * the run has a curve), forecast.svg (forecasting), confusion.svg (classification, tagging),
 * attention.svg (seq2seq with attention, transformer). Read from the run directory only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeDirs, writeFileAtomic } from '../util/fs.js';
import { attentionMaps, attentionSvg } from './attention.js';
import { confusionOf, confusionSvg } from './confusion.js';
import { forecastPanels, forecastSvg } from './forecast.js';
import { lossSvg } from './loss.js';
import { loadForPlots } from './predictions.js';
import { finalScore, readRun } from './rundata.js';

export { plotCompare, compareSvg } from './compare.js';
export { HEADLINE, TASK_METRICS, metricInfo, taskReports, type Headline } from './headline.js';
export { readRun, readCsv, type RunCurves, type Row } from './rundata.js';

export interface PlotReport {
  dir: string;
  written: string[];
  /** plots this run does not get, with the reason */
  skipped: { file: string; reason: string }[];
}

export async function writePlots(runDir: string, outDir = path.join(runDir, 'plots')): Promise<PlotReport> {
  const run = readRun(runDir); // a RunError when runDir is not a run
  const report: PlotReport = { dir: outDir, written: [], skipped: [] };
  const put = (file: string, svg: string | null, reason: string) => {
    if (svg === null) return void report.skipped.push({ file, reason });
    makeDirs(outDir);
    writeFileAtomic(path.join(outDir, file), svg);
    report.written.push(path.join(outDir, file));
  };
  put('loss.svg', lossSvg(run), 'no training curve (history.csv is empty: a baseline fitted in one pass, or no evaluation yet)');

  const task = run.cfg.task;
  const wantsModel = task === 'forecasting' || task === 'classification' || task === 'tagging' || ['seq2seq', 'transformer'].includes(run.cfg.model.type);
  if (!wantsModel) return report;
  const l = await loadForPlots(runDir);
  try {
    if (task === 'forecasting') {
      const mae = finalScore(run, l.splitName, 'mae');
      put('forecast.svg', forecastSvg(forecastPanels(l), run.name, { split: l.splitName, horizon: run.cfg.data.horizon, mae }), '');
    }
    if (task === 'classification' || task === 'tagging') {
      const c = confusionOf(l);
      const total = c.counts.flat().reduce((a, b) => a + b, 0);
      const right = c.rows.reduce((a, r, i) => a + (c.cols.indexOf(r) >= 0 ? c.counts[i][c.cols.indexOf(r)] : 0), 0);
      const unit = task === 'tagging' ? 'tokens' : 'examples';
      put('confusion.svg', confusionSvg(c, run.name, { unit, split: l.splitName, accuracy: total ? right / total : 0 }), '');
    }
    const a = attentionMaps(l);
    if (a) {
      const s2s = run.cfg.model.type === 'seq2seq';
      const unit = task === 'forecasting' ? 'time step' : 'token';
      const axes = s2s ? { cols: 'source token', rows: 'output token' } : { cols: `key ${unit} (attended to)`, rows: `query ${unit}` };
      put('attention.svg', attentionSvg(a, run.name, axes), '');
    } else if (run.cfg.model.type === 'seq2seq') {
      report.skipped.push({ file: 'attention.svg', reason: 'the model has no attention (model.attention: none)' });
    }
  } finally {
    l.model.dispose();
  }
  return report;
}
