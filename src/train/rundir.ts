/**
 * The run directory describes itself: resolved config, data artifacts (tokenizer…), `last` and
 * `best` checkpoints, per-epoch history, final metrics and a manifest. `eval` and `generate` need
 * nothing else.
 *
 *   runs/<name>/config.yaml   manifest.json   tokenizer.json   history.csv   metrics.json
 *               last/{model.json, weights.bin, state.json, optimizer.json, optimizer.bin}
 *               best/{model.json, weights.bin, state.json}
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { validateConfig } from '../config/load.js';
import type { Config } from '../config/schema/index.js';
import { parseDocument } from 'yaml';
import type { Artifacts } from '../tasks/types.js';
import type { FileRecord } from '../data/info.js';
import { RunError } from '../util/errors.js';
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
  status: 'running' | 'finished' | 'interrupted' | 'stopped_early';
  params: number;
}

/** Where training stands, saved with each checkpoint. */
export interface TrainState {
  epoch: number;
  step: number;
  best_valid_loss: number | null;
  best_epoch: number | null;
  epochs_since_best: number;
  /** seconds of training so far (summed over resumes) */
  seconds: number;
}

export interface HistoryRow {
  epoch: number;
  step: number;
  train_loss: number;
  valid_loss: number | null;
  learning_rate: number;
  seconds: number;
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

  /** history.csv rewritten whole (atomically) from the rows so far */
  writeHistory(rows: HistoryRow[]): void {
    const cols: (keyof HistoryRow)[] = ['epoch', 'step', 'train_loss', 'valid_loss', 'learning_rate', 'seconds'];
    const fmt = (v: number | null) => (v === null ? '' : Number.isInteger(v) ? String(v) : v.toPrecision(6));
    writeFileAtomic(this.file('history.csv'), [cols.join(','), ...rows.map((r) => cols.map((c) => fmt(r[c])).join(','))].join('\n') + '\n');
  }

  readHistory(): HistoryRow[] {
    const f = this.file('history.csv');
    if (!fs.existsSync(f)) return [];
    const [head, ...lines] = fs.readFileSync(f, 'utf8').trim().split('\n');
    const cols = head.split(',');
    return lines.map((l) => {
      const vals = l.split(',');
      return Object.fromEntries(cols.map((c, i) => [c, vals[i] === '' ? null : Number(vals[i])])) as unknown as HistoryRow;
    });
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

/**
 * The checkpoint folder to read for `which`. `best` falls back to `last` only while no epoch has
 * ended (a run interrupted early); a finished run without best/ is damaged.
 */
export function checkpointDir(r: OpenRun, which: 'best' | 'last'): string {
  const { run, manifest } = r;
  if (which === 'best' && liveDir(run.best)) return run.best;
  if (which === 'best' && (manifest.status === 'finished' || manifest.status === 'stopped_early')) {
    throw new RunError(`${run.best} is missing from a ${manifest.status} run; the run directory is damaged. Use --checkpoint last to read last/.`);
  }
  if (liveDir(run.last)) return run.last;
  throw new RunError(`${run.dir} has no checkpoint yet (neither best/ nor last/): training has not finished its first save.`);
}
