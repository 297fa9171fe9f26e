/**
 * Runs trials as separate `seqnet train` processes, N at a time. Each process gets
 * SEQNET_THREADS = max(1, floor(cores / N)), the variable the wasm kernels already read for their
 * worker count (src/backend/wasm/tuner.ts), so N jobs do not oversubscribe the cores. A trial that
 * fails is recorded (trial.json with its error) and the others go on.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirs, readJson, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import type { Trial } from './grid.js';
import { TRIAL_FILE, type TrialRecord } from './leaderboard.js';
import { trialSets, type Plan } from './plan.js';

const BIN = fileURLToPath(new URL('../../bin/seqnet.js', import.meta.url));

export interface RunOptions {
  /** trials at once */
  jobs: number;
  /** extra flags for each `seqnet train` (e.g. --device cpu) */
  trainFlags?: string[];
  onDone?(r: TrialRecord, dir: string): void;
  /** once aborted (Ctrl-C), no further trial starts; the running ones save and are recorded as interrupted */
  signal?: AbortSignal;
}

export const threadsPerJob = (jobs: number, cores = availableParallelism()): number => Math.max(1, Math.floor(cores / jobs));

/** the message of the CLI's error line(s) in a failed trial's stderr */
function errorOf(stderr: string, code: number | null, signal: NodeJS.Signals | null): string {
  const lines = stderr.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const at = lines.findIndex((l) => /^(error:|internal error)/.test(l));
  const msg = at >= 0 ? lines.slice(at, at + 4).join('\n').replace(/^error:\s*/, '').trim() : lines.filter(Boolean).slice(-3).join('\n');
  return msg || (signal ? `killed by ${signal}` : `exit code ${code}`);
}

export function runTrial(plan: Plan, t: Trial, o: RunOptions): Promise<TrialRecord> {
  const dir = path.join(plan.root, t.name);
  makeDirs(dir);
  const args = [BIN, 'train', plan.config, ...trialSets(plan, t).flatMap((s) => ['--set', s]), '--out', dir, '--overwrite', '--quiet', ...(o.trainFlags ?? [])];
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...(o.jobs > 1 ? { SEQNET_THREADS: String(threadsPerJob(o.jobs)) } : {}) };
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (done) return;
      done = true;
      const ok = code === 0 || code === 130;
      const ran = readStatus(dir);
      const status = !ok || spawnError ? 'failed' : code === 130 ? 'interrupted' : ran === 'stopped_early' || ran === 'time_budget' ? ran : 'finished';
      const rec: TrialRecord = {
        index: t.index, name: t.name, set: t.set, config: plan.config, task: plan.cfg.task, status,
        ...(status === 'failed' ? { error: spawnError?.message ?? errorOf(err, code, signal) } : {}),
        seconds: (Date.now() - t0) / 1000,
      };
      // written after the process ends: `train --overwrite` clears the folder when it starts
      makeDirs(dir);
      writeFileAtomic(path.join(dir, 'train.log'), `$ seqnet ${args.slice(1).join(' ')}\n${out}${err}`);
      writeJsonAtomic(path.join(dir, TRIAL_FILE), rec);
      o.onDone?.(rec, dir);
      resolve(rec);
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** the run's manifest status, '' without a manifest */
function readStatus(dir: string): string {
  const f = path.join(dir, 'manifest.json');
  return fs.existsSync(f) ? String(readJson<{ status?: string }>(f).status ?? '') : '';
}

/** runs `trials` `jobs` at a time, in index order of starting */
export async function runTrials(plan: Plan, trials: readonly Trial[], o: RunOptions): Promise<TrialRecord[]> {
  const out: TrialRecord[] = [];
  let next = 0;
  const worker = async () => {
    while (next < trials.length && !o.signal?.aborted) {
      const t = trials[next++];
      out.push(await runTrial(plan, t, o));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, trials.length)) }, worker));
  return out.sort((a, b) => a.index - b.index);
}
