/**
 * `train(cfg)`: data → model → fit → final metrics, into a self-describing run directory.
 * Everything that can fail on user input (config, data) is checked before the run directory is
 * touched, so a bad input never costs an existing run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tf, type BackendInfo } from '../backend/index.js';
import type { Config } from '../config/schema/index.js';
import { saveBaseline } from '../baselines/io.js';
import type { FittedFamily } from '../baselines/types.js';
import { buildModel, familyOf } from '../models/registry.js';
import { loadCheckpoint } from '../models/io.js';
import { describeTransfer, transferWeights } from '../models/transfer.js';
import type { Predictor } from '../models/predictor.js';
import { taskSpec, type Prepared, type TaskSpec } from '../tasks/index.js';
import { scoreSplit } from '../tasks/score.js';
import { RunError } from '../util/errors.js';
import { makeDirs, readRunJson, recoverFolder } from '../util/fs.js';
import { recoverNumbered } from './checkpoints.js';
import { acquireRunLock, clearRunDir } from './lock.js';
import type { TrainHooks } from './events.js';
import { fit } from './fit.js';
import { makeOptimizer } from './optim.js';
import { loadOptimizer } from './optimizer-state.js';
import { RunDir, openRun, type Manifest, type RunStatus, type TrainState } from './rundir.js';
import { checkResumable } from './resume.js';
import { checkWatchedMetrics } from './watch-check.js';
import { SEQNET_VERSION } from '../version.js';

export interface TrainOptions {
  backend: BackendInfo;
  /** run directory; default runs/<name> under the current folder */
  out?: string;
  /** continue the run in `out` from its `last` checkpoint */
  resume?: boolean;
  /** replace an existing run in `out` */
  overwrite?: boolean;
  hooks?: TrainHooks;
  signal?: AbortSignal;
}

export interface TrainResult {
  dir: string;
  status: RunStatus;
  metrics: Record<string, unknown>;
  state: TrainState;
  /** why training stopped before the plan (time budget, divergence) */
  message?: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Trains while holding the run directory's lock (one writer per run; see lock.ts). */
export async function train(cfg: Config, o: TrainOptions): Promise<TrainResult> {
  const dir = o.out ?? path.join('runs', cfg.name);
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new RunError(`${dir} is a file, not a run directory; give --out a folder.`);
  const lock = acquireRunLock(dir, (m) => o.hooks?.onWarning?.(m));
  try {
    recoverFolder(dir, ['last', 'best']); // what a kill -9 of an earlier run left half done
    recoverNumbered(new RunDir(dir));
    return await trainLocked(cfg, o, dir);
  } finally {
    lock.release();
  }
}

async function trainLocked(cfg: Config, o: TrainOptions, dir: string): Promise<TrainResult> {
  const exists = RunDir.isRun(dir);
  if (o.resume && !exists) throw new RunError(`--resume: ${dir} holds no run to resume; drop --resume to start one.`);
  if (exists && !o.resume && !o.overwrite) {
    throw new RunError(
      `${dir} already holds a run. Use --resume to continue it, --overwrite to replace it, or --out DIR for a new one.`,
    );
  }
  const prior = o.resume ? openRun(dir) : undefined;
  if (prior) checkResumable(prior.cfg, cfg, dir);
  const family = familyOf(cfg.model.type);
  if (o.resume && 'fit' in family) {
    throw new RunError(`--resume: the ${cfg.model.type} baseline is fitted in one pass, so there is nothing to resume; use --overwrite to fit it again.`);
  }
  const task = taskSpec(cfg.task);
  // fine-tuning reuses the pretrained run's tokenizer, so token ids (and embedding rows) match
  const init = !prior && cfg.train.init_from ? openRun(cfg.train.init_from) : undefined;
  const data = task.prepare(cfg, prior?.artifacts ?? (init?.artifacts.tokenizer ? { tokenizer: init.artifacts.tokenizer } : undefined), o.hooks?.onData);
  if (init?.artifacts.tokenizer && !same(init.cfg.data.tokenizer, cfg.data.tokenizer)) {
    o.hooks?.onWarning?.(`train.init_from: data.tokenizer differs from the pretrained run's; its tokenizer is used so token ids match the pretrained embedding`);
  }
  for (const w of data.warnings) o.hooks?.onWarning?.(w);

  const run = new RunDir(dir);
  if ('fit' in family) return fitBaseline(family, cfg, task, data, run, exists, o);
  let model: tf.LayersModel;
  let state: TrainState | undefined;
  const optimizer = makeOptimizer(cfg.train);
  if (prior) {
    model = await loadCheckpoint(run.last);
    state = readRunJson<TrainState>(path.join(run.last, 'state.json'));
    const ok = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    if (!ok(state.step) || !ok(state.epoch)) {
      model.dispose();
      throw new RunError(`${path.join(run.last, 'state.json')}: step and epoch must be non-negative integers; the checkpoint is damaged, so --resume cannot tell where to continue.`);
    }
    // slots are matched to variables by position: the order of model.trainableWeights, as saved
    await loadOptimizer(optimizer, run.last);
  } else {
    model = buildModel(cfg.model, {
      task: cfg.task,
      info: data.info,
      seed: cfg.seed,
      artifacts: data.artifacts,
      warn: (w) => o.hooks?.onWarning?.(w),
      train: data.train,
    });
    if (init) {
      const source = await loadCheckpoint(fs.existsSync(init.run.best) ? init.run.best : init.run.last);
      try {
        const moved = transferWeights(model, source, init.run.dir); // not inside ?.(): it must run without hooks too
        o.hooks?.onWarning?.(describeTransfer(moved, init.run.dir));
      } catch (e) {
        model.dispose();
        throw e;
      } finally {
        source.dispose();
      }
    }
  }
  try {
    checkWatchedMetrics(model, data, task, cfg.train);
  } catch (e) {
    model.dispose();
    throw e;
  }
  if (exists && !prior) clearRunDir(dir);
  makeDirs(dir);
  const manifest = startManifest(cfg, data, o, model.countParams(), prior?.manifest.created);
  run.writeConfig(cfg);
  run.writeArtifacts(data.artifacts);
  run.writeManifest(manifest);

  const hooks: TrainHooks = { ...o.hooks, onStart: (e) => o.hooks?.onStart?.({ ...e, configHash: configHash(cfg), dir }) };
  const r = await fit(model, data, task, cfg.train, {
    seed: cfg.seed,
    run,
    optimizer,
    hooks,
    signal: o.signal,
    state,
    // a resumed run drops the log rows written after its last checkpoint
    history: prior && state ? run.truncateLogs(state.step) : undefined,
  });
  model.dispose();
  optimizer.dispose();

  // Final scores come from the best checkpoint (restore_best, the default), as `seqnet eval` would compute them, else from last.
  const fromBest = (cfg.train.early_stopping?.restore_best ?? true) && fs.existsSync(run.best);
  const ckpt = fromBest ? run.best : run.last;
  const metrics: Record<string, unknown> = {
    status: r.status,
    epochs: r.state.epoch,
    steps: r.state.step,
    best_epoch: r.state.best_epoch,
    best_step: r.state.best_step ?? null,
    train_seconds: r.state.seconds,
    checkpoint: fromBest ? 'best' : 'last',
    ...(r.message ? { message: r.message } : {}),
  };
  if (fs.existsSync(ckpt)) {
    const final = await loadCheckpoint(ckpt);
    Object.assign(metrics, finalScores(final, data, task, cfg.train.eval_batch_size));
    final.dispose();
  }
  run.writeMetrics(metrics);
  run.writeManifest({ ...manifest, status: r.status, wall_seconds: r.state.seconds });
  o.hooks?.onEnd?.({ status: r.status, step: r.state.step, epoch: r.state.epoch, seconds: r.state.seconds, metrics, message: r.message });
  return { dir, status: r.status, metrics, state: r.state, message: r.message };
}

function startManifest(cfg: Config, data: Prepared, o: TrainOptions, params: number, created?: string): Manifest {
  return {
    seqnet_version: SEQNET_VERSION,
    created: created ?? new Date().toISOString(),
    backend: o.backend.backend,
    engine: o.backend.engine,
    node_version: process.version,
    tfjs_version: o.backend.tfjsVersion,
    seed: cfg.seed,
    data_files: data.files,
    wall_seconds: 0,
    status: 'running',
    params,
  };
}

/** The task's metrics on the valid and test splits, each with its simple baseline beside it. */
function finalScores(model: Predictor, data: Prepared, task: TaskSpec, batchSize: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['valid', 'test'] as const) {
    const split = data[name];
    if (!split) continue;
    out[name] = scoreSplit(model, split, task, batchSize);
    if (task.baseline) out[`${name}_baseline`] = task.baseline(data.train, split, data.info);
  }
  return out;
}

/** sha256 of the resolved config: the `start` event's config_hash */
const configHash = (cfg: Config) => crypto.createHash('sha256').update(JSON.stringify(cfg)).digest('hex');

/**
 * A baseline fitted in one pass (no epochs, no optimizer): fit, then write the same run directory
 * as a trained model — config, artifacts, manifest, best/ and last/ (baseline.json + state.json),
 * metrics. Fitting comes first, so bad data never costs an existing run.
 */
async function fitBaseline(family: FittedFamily, cfg: Config, task: TaskSpec, data: Prepared, run: RunDir, exists: boolean, o: TrainOptions): Promise<TrainResult> {
  const t0 = Date.now();
  const model = family.fit(cfg.model, { task: cfg.task, info: data.info, train: data.train });
  try {
    const seconds = (Date.now() - t0) / 1000;
    o.hooks?.onStart?.({ params: model.countParams(), stepsPerEpoch: 0, totalSteps: 0, resumedFrom: 0, configHash: configHash(cfg), dir: run.dir });
    if (exists) clearRunDir(run.dir);
    makeDirs(run.dir);
    const manifest = startManifest(cfg, data, o, model.countParams());
    run.writeConfig(cfg);
    run.writeArtifacts(data.artifacts);
    run.writeManifest(manifest);
    const scores = finalScores(model, data, task, cfg.train.eval_batch_size);
    const valid = scores.valid as Record<string, number> | undefined;
    const state: TrainState = { epoch: 0, step: 0, best_valid_loss: valid?.loss ?? null, best_epoch: null, epochs_since_best: 0, seconds };
    for (const kind of ['best', 'last'] as const) {
      saveBaseline(model, run[kind], { 'state.json': state });
      o.hooks?.onCheckpoint?.({ kind, dir: run[kind] });
    }
    const metrics: Record<string, unknown> = { status: 'finished', epochs: 0, steps: 0, best_epoch: null, train_seconds: seconds, ...scores };
    run.writeMetrics(metrics);
    run.writeManifest({ ...manifest, status: 'finished', wall_seconds: (Date.now() - t0) / 1000 });
    o.hooks?.onEnd?.({ status: 'finished', step: 0, epoch: 0, seconds, metrics });
    return { dir: run.dir, status: 'finished', metrics, state };
  } finally {
    model.dispose();
  }
}
