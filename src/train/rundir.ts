/**
 * The run directory describes itself: resolved config, data artifacts (tokenizer…), `last` and
 * `best` checkpoints, per-epoch history, final metrics and a manifest. `eval` and `generate` need
 * nothing else.
 *
 *   runs/<name>/config.yaml   manifest.json   tokenizer.json   history.csv   steps.csv   metrics.json
 *               last/{model.json, weights.bin, state.json, optimizer.json, optimizer.bin}
 *               best/{model.json, weights.bin, state.json}
 *               checkpoints/step-0000120/{model.json, weights.bin, state.json}   (train.checkpoint.every_steps)
 *
 * history.csv has one row per evaluation (epoch, step, train_loss, valid_loss, learning_rate,
 * seconds, valid_<metric>…); steps.csv one row per logged step (step, epoch, loss, learning_rate, seconds).
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { validateConfig } from '../config/load.js';
import type { Config } from '../config/schema/index.js';
import { parseDocument } from 'yaml';
import type { Artifacts } from '../tasks/types.js';
import type { FileRecord } from '../data/info.js';
import { RunError, UsageError } from '../util/errors.js';
import { liveDir, readRunJson, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { SEQNET_VERSION } from '../version.js';
import { LOCK_FILE } from './lock.js';

export const ARTIFACT_FILES = ['tokenizer', 'labels', 'scaler', 'target_tokenizer'];

export interface Manifest {
  seqnet_version: string;
  created: string;
  backend: string;
  engine: string;
  node_version: string;
  tfjs_version: string;
  seed: number;
  data_files: FileRecord[];
  wall_seconds: number;
  status: 'running' | RunStatus;
  params: number;
}

/** How a training run ended. */
export type RunStatus = 'finished' | 'interrupted' | 'stopped_early' | 'time_budget' | 'diverged';

/**
 * Where training stands, saved with each checkpoint; with the step (which fixes the schedule
 * position, the batch order and the dropout stream, all derived from seed, epoch and step) and the
 * optimizer slots, it is everything a resumed run needs to continue exactly.
 */
export interface TrainState {
  epoch: number;
  step: number;
  best_valid_loss: number | null;
  best_epoch: number | null;
  /** evaluations since the best (one per epoch unless eval_every_steps is set) */
  epochs_since_best: number;
  /** seconds of training so far (summed over resumes) */
  seconds: number;
  /** evaluations so far */
  evals?: number;
  /** step of the best evaluation */
  best_step?: number | null;
  /** the metric `best` and early stopping watch, and its best value */
  best_metric?: string;
  best_value?: number | null;
  /** reduce_on_plateau: its own best / wait counter and the factor applied to the schedule */
  plateau?: { best: number | null; wait: number; scale: number };
  /** step of the last evaluation */
  last_eval_step?: number;
  /** the first step's loss: the divergence guard's reference */
  first_loss?: number | null;
  /** training loss summed over the steps since the last evaluation, and their count */
  loss_since_eval?: [number, number];
}

export interface HistoryRow {
  epoch: number;
  step: number;
  train_loss: number;
  valid_loss: number | null;
  learning_rate: number;
  seconds: number;
  /** `valid_<metric>` for each headline metric the task reports */
  [validMetric: `valid_${string}`]: number | null;
}

export interface StepRow {
  step: number;
  epoch: number;
  loss: number;
  learning_rate: number;
  seconds: number;
}

const HISTORY_COLS = ['epoch', 'step', 'train_loss', 'valid_loss', 'learning_rate', 'seconds'];
const STEP_COLS: (keyof StepRow)[] = ['step', 'epoch', 'loss', 'learning_rate', 'seconds'];
const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '' : Number.isInteger(v) ? String(v) : v.toPrecision(6));

function readCsv(file: string): Record<string, number | null>[] {
  if (!fs.existsSync(file)) return [];
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  if (!head) return [];
  const cols = head.split(',');
  return lines.map((l) => {
    const vals = l.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, vals[i] === '' || vals[i] === undefined ? null : Number(vals[i])]));
  });
}

export class RunDir {
  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }
  get last(): string {
    return this.file('last');
  }
  get best(): string {
    return this.file('best');
  }

  /** true when the folder already holds a seqnet run */
  static isRun(dir: string): boolean {
    return fs.existsSync(path.join(dir, 'manifest.json'));
  }

  writeConfig(cfg: Config): void {
    writeFileAtomic(this.file('config.yaml'), `# resolved config written by seqnet (all defaults filled in)\n${stringify(cfg)}`);
  }

  writeArtifacts(a: Artifacts): void {
    for (const [k, v] of Object.entries(a)) writeJsonAtomic(this.file(`${k}.json`), v);
  }

  writeManifest(m: Manifest): void {
    writeJsonAtomic(this.file('manifest.json'), m);
  }

  writeMetrics(m: unknown): void {
    writeJsonAtomic(this.file('metrics.json'), m);
  }

  /** history.csv rewritten whole (atomically) from the rows so far; columns: the fixed ones, then every valid_<metric> seen */
  writeHistory(rows: HistoryRow[]): void {
    const extra = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => !HISTORY_COLS.includes(k))))];
    const cols = [...HISTORY_COLS, ...extra];
    const cell = (r: HistoryRow, c: string) => fmt((r as unknown as Record<string, number | null>)[c]);
    writeFileAtomic(this.file('history.csv'), [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r, c)).join(','))].join('\n') + '\n');
  }

  readHistory(): HistoryRow[] {
    return readCsv(this.file('history.csv')) as unknown as HistoryRow[];
  }

  /** appends rows to steps.csv (with its header when new) */
  appendSteps(rows: StepRow[]): void {
    if (!rows.length) return;
    const f = this.file('steps.csv');
    const head = fs.existsSync(f) ? '' : STEP_COLS.join(',') + '\n';
    fs.appendFileSync(f, head + rows.map((r) => STEP_COLS.map((c) => fmt(r[c])).join(',')).join('\n') + '\n');
  }

  readSteps(): StepRow[] {
    return readCsv(this.file('steps.csv')) as unknown as StepRow[];
  }

  /** A resumed run drops the history and step rows written after the checkpoint it resumes from. */
  truncateLogs(step: number): HistoryRow[] {
    const steps = this.readSteps().filter((r) => r.step <= step);
    fs.rmSync(this.file('steps.csv'), { force: true });
    this.appendSteps(steps);
    const history = this.readHistory().filter((r) => r.step <= step);
    this.writeHistory(history);
    return history;
  }
}

export interface OpenRun {
  run: RunDir;
  cfg: Config;
  artifacts: Artifacts;
  manifest: Manifest;
}

/** true when semantic version `a` is newer than `b` (numeric major.minor.patch). */
function newer(a: string, b: string): boolean {
  const n = (v: string) => v.split(/[.+-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);
  const [x, y] = [n(a), n(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
}

/** Opens an existing run for eval / generate / resume, with a clear error when it is not one. */
export function openRun(dir: string): OpenRun {
  if (!fs.existsSync(dir)) throw new RunError(`run directory not found: ${dir}\nTrain one first with \`seqnet train CONFIG.yaml\`.`);
  if (!RunDir.isRun(dir)) {
    if (fs.existsSync(path.join(dir, LOCK_FILE))) throw new RunError(`${dir} has no checkpoint yet: its training run is starting (or was killed before saving anything).`);
    throw new RunError(`${dir} is not a seqnet run directory (no manifest.json).\nPass the folder \`seqnet train\` wrote, e.g. runs/<name>.`);
  }
  const run = new RunDir(dir);
  const manifest = readRunJson<Manifest>(run.file('manifest.json'));
  if (typeof manifest.seqnet_version === 'string' && newer(manifest.seqnet_version, SEQNET_VERSION)) {
    throw new RunError(`${run.file('manifest.json')}: the run was written by seqnet ${manifest.seqnet_version}, newer than this seqnet ${SEQNET_VERSION}; upgrade seqnet to read it.`);
  }
  const cfgFile = run.file('config.yaml');
  if (!fs.existsSync(cfgFile)) throw new RunError(`${dir}: config.yaml is missing; the run directory is damaged.`);
  const doc = parseDocument(fs.readFileSync(cfgFile, 'utf8'));
  if (doc.errors.length) throw new RunError(`${cfgFile}: not valid YAML (${doc.errors[0].message.split('\n')[0]}); the run directory is damaged.`);
  const cfg = validateConfig(doc.toJS({ maxAliasCount: 100 }), cfgFile);
  const artifacts: Artifacts = {};
  for (const k of ARTIFACT_FILES) {
    const f = run.file(`${k}.json`);
    if (fs.existsSync(f)) artifacts[k] = readRunJson(f);
  }
  return { run, cfg, artifacts, manifest };
}

/** `--checkpoint`: best, last, or a numbered checkpoint (step-120, or just 120). */
export type CheckpointChoice = string;

/** The folder of numbered checkpoint `step` (checkpoint.every_steps). */
export const numberedDir = (runDir: string, step: number) => path.join(runDir, 'checkpoints', `step-${String(step).padStart(7, '0')}`);

/** A numbered checkpoint's folder, or a RunError listing the ones there are. */
function numbered(run: RunDir, which: string): string {
  const dir = numberedDir(run.dir, Number(/\d+$/.exec(which)![0]));
  if (liveDir(dir)) return dir;
  const root = run.file('checkpoints');
  const have = fs.existsSync(root) ? fs.readdirSync(root).filter((n) => /^step-\d+$/.test(n)).sort() : [];
  throw new RunError(`${dir}: no such checkpoint; ${have.length ? `the run has ${have.join(', ')}` : 'the run has no numbered checkpoints (train.checkpoint.every_steps)'}.`);
}

/**
 * The checkpoint folder to read for `which`: best, last or a numbered one (step-N or N). `best`
 * falls back to `last` only while no epoch has ended (a run interrupted early); a finished run
 * without best/ is damaged.
 */
export function checkpointDir(r: OpenRun, which: CheckpointChoice): string {
  const { run, manifest } = r;
  if (/^(step-)?\d+$/.test(which)) return numbered(run, which);
  if (which !== 'best' && which !== 'last') throw new UsageError(`--checkpoint ${which}: use best, last, or a numbered checkpoint such as step-120.`);
  if (which === 'best' && liveDir(run.best)) return run.best;
  if (which === 'best' && (manifest.status === 'finished' || manifest.status === 'stopped_early')) {
    throw new RunError(`${run.best} is missing from a ${manifest.status} run; the run directory is damaged. Use --checkpoint last to read last/.`);
  }
  if (liveDir(run.last)) return run.last;
  throw new RunError(`${run.dir} has no checkpoint yet (neither best/ nor last/): training has not finished its first save.`);
}
