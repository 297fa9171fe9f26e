/**
 * The leaderboard of a sweep, built from trial folders only (so it works the same on folders
 * gathered from many machines): each folder's trial.json (what was run, and how it ended) and
 * metrics.json (the best checkpoint's scores). Ranked by one metric on the valid split (the test
 * split when a run has no valid split); failed trials are listed last, with their error.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Task } from '../config/schema/index.js';
import { closest } from '../config/suggest.js';
import { HEADLINE, TASK_METRICS, metricInfo, taskReports } from '../plot/headline.js';
import { RunError, SeqnetError } from '../util/errors.js';
import { makeDirs, readJson, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import type { GridValue } from './grid.js';

/** `<trial>/trial.json` */
export interface TrialRecord {
  index: number;
  name: string;
  set: Record<string, GridValue>;
  config: string;
  task: Task;
  status: 'finished' | 'stopped_early' | 'time_budget' | 'interrupted' | 'failed';
  error?: string;
  seconds: number;
}

export const TRIAL_FILE = 'trial.json';

export interface Entry extends TrialRecord {
  rank: number | null;
  dir: string;
  /** the ranking metric, on `split` */
  value: number | null;
  split: 'valid' | 'test' | null;
  /** the same metric on the test split, for reference */
  test: number | null;
}

export interface Leaderboard {
  metric: string;
  mode: 'min' | 'max';
  entries: Entry[];
}

/** trial folders in `dirs`: each dir is a trial (holds trial.json) or a folder of trials */
export function findTrials(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new RunError(`--gather ${d}: no such folder`);
    if (fs.existsSync(path.join(d, TRIAL_FILE))) out.push(d);
    else {
      const inner = fs.readdirSync(d).map((f) => path.join(d, f)).filter((f) => fs.existsSync(path.join(f, TRIAL_FILE)));
      if (!inner.length) throw new RunError(`--gather ${d}: neither a sweep trial (no ${TRIAL_FILE}) nor a folder of trials`);
      out.push(...inner.sort());
    }
  }
  return out;
}

/** checks `metric` is one the task reports (exit 2 with a suggestion otherwise) and picks its direction */
export function rankBy(task: Task, metric: string | undefined, mode: string | undefined): { metric: string; mode: 'min' | 'max' } {
  const m = metric ?? HEADLINE[task].metric;
  if (!taskReports(task, m)) {
    const guess = closest(m, TASK_METRICS[task]);
    throw new SeqnetError(`--metric ${m}: ${task} runs do not report it${guess ? ` — did you mean ${guess}?` : ''} (they report: ${TASK_METRICS[task].join(', ')})`, 2);
  }
  if (mode !== undefined && mode !== 'min' && mode !== 'max') throw new SeqnetError(`--mode ${mode}: expected min or max`, 2);
  return { metric: m, mode: (mode as 'min' | 'max' | undefined) ?? metricInfo(task, m).mode };
}

/** a JSON file of a trial folder; a RunError naming it when it is damaged */
function readTrialJson<T>(file: string): T {
  try {
    return readJson<T>(file);
  } catch (e) {
    throw new RunError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)}); the trial folder is damaged (rerun the trial, or leave the folder out).`);
  }
}

export function buildLeaderboard(trialDirs: readonly string[], metric?: string, mode?: string): Leaderboard {
  const records = trialDirs.map((dir) => ({ dir, rec: readTrialJson<TrialRecord>(path.join(dir, TRIAL_FILE)) }));
  if (!records.length) throw new RunError('no trials to rank');
  const by = rankBy(records[0].rec.task, metric, mode);
  const entries: Entry[] = records.map(({ dir, rec }) => {
    const mf = path.join(dir, 'metrics.json');
    const m = rec.status !== 'failed' && fs.existsSync(mf) ? readTrialJson<Record<string, Record<string, number> | undefined>>(mf) : {};
    const split = m.valid?.[by.metric] !== undefined ? 'valid' : m.test?.[by.metric] !== undefined ? 'test' : null;
    return { ...rec, dir, rank: null, split, value: split ? m[split]![by.metric] : null, test: m.test?.[by.metric] ?? null };
  });
  const sign = by.mode === 'max' ? -1 : 1;
  entries.sort((a, b) => {
    if (a.value === null || b.value === null) return (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) || a.index - b.index;
    return sign * (a.value - b.value) || a.index - b.index;
  });
  entries.forEach((e, i) => (e.rank = e.value === null ? null : i + 1));
  return { ...by, entries };
}

const fmt = (v: number | null) => (v === null ? '' : Number.isInteger(v) ? String(v) : v.toPrecision(5));
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function leaderboardRows(lb: Leaderboard): string[][] {
  const keys = [...new Set(lb.entries.flatMap((e) => Object.keys(e.set)))];
  const head = ['rank', 'index', 'name', 'status', `${lb.metric} (${lb.mode})`, 'split', `test ${lb.metric}`, 'seconds', ...keys, 'error'];
  const rows = lb.entries.map((e) => [
    e.rank === null ? '' : String(e.rank), String(e.index), e.name, e.status, fmt(e.value), e.split ?? '', fmt(e.test), fmt(e.seconds),
    ...keys.map((k) => (k in e.set ? String(e.set[k]) : '')), e.error ?? '',
  ]);
  return [head, ...rows];
}

/** leaderboard.json and leaderboard.csv in `dir` */
export function writeLeaderboard(dir: string, lb: Leaderboard): string[] {
  makeDirs(dir);
  const json = path.join(dir, 'leaderboard.json');
  const csv = path.join(dir, 'leaderboard.csv');
  writeJsonAtomic(json, lb);
  writeFileAtomic(csv, leaderboardRows(lb).map((r) => r.map(csvCell).join(',')).join('\n') + '\n');
  return [json, csv];
}

/** a plain-text table, or Markdown (for a CI step summary) */
export function renderLeaderboard(lb: Leaderboard, markdown = false): string {
  const rows = leaderboardRows(lb).map((r) => r.map((c) => c.split('\n')[0]));
  if (markdown) {
    const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
    return [`### sweep leaderboard: ${lb.metric} (${lb.mode === 'max' ? 'higher' : 'lower'} is better)`, '', line(rows[0]), line(rows[0].map(() => '---')), ...rows.slice(1).map(line)].join('\n');
  }
  const w = rows[0].map((_, j) => Math.min(60, Math.max(...rows.map((r) => r[j].length))));
  return rows.map((r) => r.map((c, j) => (c.length > 60 ? c.slice(0, 59) + '…' : c).padEnd(w[j])).join('  ').trimEnd()).join('\n');
}
