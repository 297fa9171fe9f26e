/**
 * `compareRuns(dirs)`: one row per run directory — status, steps, wall time, the config keys that
 * differ between the runs, the headline metrics of the test split (valid when there is none) and
 * the baseline — for `seqnet compare`, scripts, and plots.
 */
import fs from 'node:fs';
import path from 'node:path';
import { direction } from '../train/monitor.js';
import { openRun, RunDir } from '../train/rundir.js';
import { RunError, UsageError } from '../util/errors.js';
import { readRunJson } from '../util/fs.js';

export interface RunRow {
  run: string;
  name: string;
  task: string;
  status: string;
  steps: number | null;
  epochs: number | null;
  wall_seconds: number;
  /** the split the metrics are from */
  split: 'test' | 'valid' | null;
  metrics: Record<string, number>;
  baseline: Record<string, number>;
  /** every config key, flattened (`train.learning_rate`) */
  config: Record<string, unknown>;
}

export interface Comparison {
  runs: RunRow[];
  /** config keys whose values differ between the runs */
  differing: string[];
  /** headline metric names over all runs */
  metrics: string[];
  /** baseline metric names over all runs */
  baselines: string[];
  sortedBy: string | null;
  /** glob entries skipped because they are not runs */
  skipped: string[];
}

function flatten(v: unknown, prefix: string, out: Record<string, unknown>): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = v;
  return out;
}

const headline = (m: Record<string, unknown> | undefined) =>
  Object.fromEntries(Object.entries(m ?? {}).filter(([k, v]) => !k.includes('/') && typeof v === 'number')) as Record<string, number>;

/** `runs/*` style patterns (one level, * and ?) expanded here, so a quoted glob works too. */
export function expandRunArgs(args: string[]): { dirs: string[]; skipped: string[] } {
  const dirs: string[] = [];
  const skipped: string[] = [];
  for (const a of args) {
    const base = path.basename(a);
    if (!/[*?]/.test(base)) {
      dirs.push(a);
      continue;
    }
    const parent = path.dirname(a);
    const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const hits = fs.existsSync(parent) ? fs.readdirSync(parent).filter((n) => re.test(n)).sort().map((n) => path.join(parent, n)) : [];
    for (const h of hits) (RunDir.isRun(h) ? dirs : skipped).push(h);
    if (!hits.some((h) => RunDir.isRun(h))) throw new RunError(`${a}: matches no seqnet run directory.`);
  }
  return { dirs, skipped };
}

export function compareRuns(args: string[], sort?: string): Comparison {
  if (!args.length) throw new UsageError('compare: give at least one run directory (or a pattern such as runs/*).');
  const { dirs, skipped } = expandRunArgs(args);
  const runs = dirs.map((dir): RunRow => {
    const { run, cfg, manifest } = openRun(dir);
    const m = fs.existsSync(run.file('metrics.json')) ? readRunJson<Record<string, unknown>>(run.file('metrics.json')) : {};
    const split = m.test ? 'test' : m.valid ? 'valid' : null;
    return {
      run: dir,
      name: cfg.name,
      task: cfg.task,
      status: manifest.status,
      steps: typeof m.steps === 'number' ? m.steps : null,
      epochs: typeof m.epochs === 'number' ? m.epochs : null,
      wall_seconds: manifest.wall_seconds,
      split,
      metrics: split ? headline(m[split] as Record<string, unknown>) : {},
      baseline: split ? headline(m[`${split}_baseline`] as Record<string, unknown>) : {},
      config: flatten(cfg, '', {}),
    };
  });
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.config)))];
  const differing = keys.filter((k) => k !== 'name' && new Set(runs.map((r) => JSON.stringify(r.config[k]))).size > 1);
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))];
  const baselines = [...new Set(runs.flatMap((r) => Object.keys(r.baseline)))];
  if (sort !== undefined) {
    if (!metrics.includes(sort)) throw new UsageError(`--sort ${sort}: no run reports that metric (available: ${metrics.join(', ') || 'none'}).`);
    const sign = direction({ metric: sort, mode: 'auto', min_delta: 0 }) === 'max' ? -1 : 1;
    const key = (r: RunRow) => (sort in r.metrics ? sign * r.metrics[sort] : Infinity);
    runs.sort((a, b) => key(a) - key(b));
  }
  return { runs, differing, metrics, baselines, sortedBy: sort ?? null, skipped };
}
