/**
 * What the plots read from a run directory (never from the training process): history.csv (one
 * row per evaluation: epoch, step, train_loss, valid_loss, learning_rate, seconds and any
 * `valid_<metric>` columns), steps.csv when the run has it (one row per logged step: step, epoch,
 * loss, learning_rate, seconds), metrics.json, config.yaml and manifest.json. Columns are read by
 * name, so files with more or fewer columns still plot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Config } from '../config/schema/index.js';
import { openRun } from '../train/rundir.js';
import { RunError } from '../util/errors.js';
import { readRunJson } from '../util/fs.js';

/** one CSV row: column → number (null for an empty cell) */
export type Row = Record<string, number | null>;

export function readCsv(file: string): Row[] {
  if (!fs.existsSync(file)) return [];
  let rows: Record<string, string>[];
  try {
    rows = parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
  } catch (e) {
    throw new RunError(`${file}: not a readable CSV file (${e instanceof Error ? e.message : String(e)}); the run directory is damaged.`);
  }
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : Number(v)])));
}

export interface RunCurves {
  dir: string;
  /** the folder name: unique among sweep trials, unlike config name */
  name: string;
  cfg: Config;
  /** one row per evaluation */
  history: Row[];
  /** one row per logged step; empty when the run has no steps.csv */
  steps: Row[];
  /** metrics.json: final scores of the best checkpoint (absent while a run trains) */
  metrics: Record<string, unknown> | null;
}

/** Opens `dir` as a run (a clear RunError when it is not one) and reads its curves. */
export function readRun(dir: string): RunCurves {
  const { cfg } = openRun(dir);
  const file = (f: string) => path.join(dir, f);
  return {
    dir,
    name: path.basename(path.resolve(dir)),
    cfg,
    history: readCsv(file('history.csv')),
    steps: readCsv(file('steps.csv')),
    metrics: fs.existsSync(file('metrics.json')) ? readRunJson<Record<string, unknown>>(file('metrics.json')) : null,
  };
}

/** [step, value] pairs of column `col`, skipping rows where either is empty */
export function points(rows: readonly Row[], col: string, x = 'step'): [number, number][] {
  return rows.filter((r) => r[x] != null && r[col] != null && Number.isFinite(r[col])).map((r) => [r[x]!, r[col]!]);
}

/** a split's final score from metrics.json, if there */
export function finalScore(run: RunCurves, split: 'valid' | 'test', metric: string): number | undefined {
  const v = (run.metrics?.[split] as Record<string, number> | undefined)?.[metric];
  return typeof v === 'number' ? v : undefined;
}
