/**
 * The training loop: seeded batches, one optimizer step per grad_accum_steps batches, validation
 * each epoch or every eval_every_steps steps, `last`, `best` and numbered checkpoints, early
 * stopping and reduce-on-plateau on any validation metric, a time budget, a divergence guard, and
 * a clean stop on abort (Ctrl-C) that still leaves a usable `last` checkpoint. It reports through
 * hooks and never prints.
 */
import { tf } from '../backend/index.js';
import { runtime } from '../backend/runtime.js';
import { durationSeconds, type TrainConfig } from '../config/schema/index.js';
import { batchIndices, type Batch } from '../data/batch.js';
import { saveCheckpoint } from '../models/io.js';
import { seedDropout } from '../models/layers/dropout.js';
import { scoreSplit } from '../tasks/score.js';
import type { Prepared, TaskSpec } from '../tasks/types.js';
import { Rng } from '../util/rng.js';
import { saveNumbered } from './checkpoints.js';
import type { TrainHooks } from './events.js';
import { metricValue, observe, type MonitorSpec } from './monitor.js';
import { clipByGlobalNorm, setLearningRate } from './optim.js';
import { saveOptimizer } from './optimizer-state.js';
import type { HistoryRow, RunDir, RunStatus, StepRow, TrainState } from './rundir.js';
import { effectiveLearningRate } from './schedule.js';
import { Stepper, accumulatedGrads, disposeBatch } from './step.js';
import { stateCarrier } from './tbptt.js';

export { disposeBatch };

export interface FitOptions {
  seed: number;
  run: RunDir;
  optimizer: tf.Optimizer;
  hooks?: TrainHooks;
  signal?: AbortSignal;
  /** where a resumed run stands */
  state?: TrainState;
  history?: HistoryRow[];
}

export interface FitResult {
  state: TrainState;
  history: HistoryRow[];
  status: RunStatus;
  /** why training stopped early (time budget, divergence), for the user */
  message?: string;
}

/** One optimizer step on a batch, without the loop's extras; returns the loss before the update. */
export function trainStep(model: tf.LayersModel, task: TaskSpec, b: Batch, opt: tf.Optimizer, clipNorm: number | null): number {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { loss, grads } = accumulatedGrads(model, task, [b], vars);
  clipByGlobalNorm(grads, clipNorm);
  opt.applyGradients(grads);
  runtime().weightsChanged();
  tf.dispose(Object.values(grads));
  return loss;
}

/** What `best` and early stopping watch: early_stopping's metric, or validation loss (`patience`, or nothing). */
export function watched(cfg: TrainConfig): MonitorSpec & { patience: number | null; restore_best: boolean } {
  if (cfg.early_stopping) return cfg.early_stopping;
  return { metric: 'loss', mode: 'min', min_delta: 0, patience: cfg.patience, restore_best: true };
}

/** A state from an older run (or none) with every field the loop uses. */
function fullState(s: TrainState | undefined, metric: string): Required<TrainState> {
  const base: TrainState = s ?? { epoch: 0, step: 0, best_valid_loss: null, best_epoch: null, epochs_since_best: 0, seconds: 0 };
  const sameMetric = (base.best_metric ?? 'loss') === metric;
  return {
    ...base,
    evals: base.evals ?? 0,
    best_step: base.best_step ?? null,
    best_metric: metric,
    best_value: sameMetric ? (base.best_value ?? base.best_valid_loss) : null,
    epochs_since_best: sameMetric ? base.epochs_since_best : 0,
    plateau: base.plateau ?? { best: null, wait: 0, scale: 1 },
    last_eval_step: base.last_eval_step ?? -1,
    loss_since_eval: base.loss_since_eval ?? [0, 0],
    first_loss: base.first_loss ?? null,
  };
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export async function fit(model: tf.LayersModel, data: Prepared, task: TaskSpec, cfg: TrainConfig, o: FitOptions): Promise<FitResult> {
  const watch = watched(cfg);
  const state = fullState(o.state, watch.metric);
  const history = o.history ?? [];
  const N = cfg.grad_accum_steps;
  const stepsPerEpoch = Math.ceil(Math.ceil(data.train.size / cfg.batch_size) / N);
  const planned = stepsPerEpoch * cfg.epochs;
  const totalSteps = cfg.max_steps === null ? planned : Math.min(planned, cfg.max_steps);
  // train.tbptt on a recurrent LM: batches in stream order, recurrent state carried between them
  const carrier = stateCarrier(model, data.train);
  const stepper = new Stepper(model, task, o.optimizer, cfg, carrier);
  const hooks = o.hooks ?? {};
  const unit = data.train.targetsPerExample > 1 ? 'tokens/s' : 'examples/s';

  let status: RunStatus = 'finished';
  let message: string | undefined;
  const started = Date.now();
  const t0 = started - state.seconds * 1000;
  const budgetMs = cfg.time_budget === null ? Infinity : durationSeconds(cfg.time_budget) * 1000;
  const recent: { t: number; n: number }[] = [];
  let pending: StepRow[] = [];
  let [lossSum, lossN] = state.loss_since_eval;
  let lastLoss = NaN;
  // early stopping that fires at the last planned step stops nothing: the run finished
  const planDone = () => state.step >= totalSteps || state.epoch >= cfg.epochs;
  const nextLr = () => effectiveLearningRate(cfg, state.step, totalSteps, state.plateau.scale);

  const saveLast = async (withOptimizer = true) => {
    state.seconds = (Date.now() - t0) / 1000;
    state.loss_since_eval = [lossSum, lossN];
    o.run.appendSteps(pending);
    pending = [];
    // optimizer slots go into the same folder before it is swapped in, so `last` is always whole
    const slots = withOptimizer ? (tmp: string) => saveOptimizer(o.optimizer, tmp) : undefined;
    await saveCheckpoint(model, o.run.last, { 'state.json': state, ...carrier?.files() }, slots);
    hooks.onCheckpoint?.({ kind: 'last', dir: o.run.last, step: state.step });
  };

  /** Validates, updates best / early stopping / plateau, logs a history row; returns true when early stopping says stop. */
  const evaluate = async (epoch: number): Promise<{ stop: boolean; valid: Record<string, number> | null; improved: boolean }> => {
    const valid = data.valid ? scoreSplit(model, data.valid, task, cfg.eval_batch_size) : null;
    const trainLoss = lossSum / Math.max(1, lossN);
    lossSum = lossN = 0;
    state.evals++;
    state.last_eval_step = state.step;
    const mon = { best: state.best_value, wait: state.epochs_since_best };
    const improved = observe(mon, watch, valid ? metricValue(valid, watch.metric, 'train.early_stopping.metric') : trainLoss);
    state.best_value = mon.best;
    state.epochs_since_best = mon.wait;
    if (improved) Object.assign(state, { best_valid_loss: valid?.loss ?? trainLoss, best_epoch: epoch, best_step: state.step });
    const p = cfg.reduce_on_plateau;
    if (p && valid && !observe(state.plateau, p, metricValue(valid, p.metric, 'train.reduce_on_plateau.metric')) && state.plateau.wait >= p.patience) {
      state.plateau.scale *= p.factor;
      state.plateau.wait = 0;
    }
    const seconds = (Date.now() - t0) / 1000;
    const metricCols = Object.fromEntries(Object.entries(valid ?? {}).filter(([k]) => !k.includes('/')).map(([k, v]) => [`valid_${k}`, v]));
    const learningRate = nextLr();
    history.push({ epoch, step: state.step, train_loss: trainLoss, valid_loss: valid?.loss ?? null, learning_rate: learningRate, seconds, ...metricCols });
    o.run.writeHistory(history);
    hooks.onEval?.({ epoch, step: state.step, trainLoss, validLoss: valid?.loss ?? null, validMetrics: valid, learningRate, improved, seconds });
    if (improved) {
      await saveCheckpoint(model, o.run.best, { 'state.json': state });
      hooks.onCheckpoint?.({ kind: 'best', dir: o.run.best, step: state.step });
    }
    return { stop: watch.patience !== null && state.epochs_since_best >= watch.patience, valid, improved };
  };

  hooks.onStart?.({ params: model.countParams(), stepsPerEpoch, totalSteps, resumedFrom: state.step });
  epochs: while (state.epoch < cfg.epochs && state.step < totalSteps) {
    const epoch = state.epoch + 1;
    // batch order and dropout masks derive from (seed, epoch, step): a resumed run continues the same streams
    const rng = new Rng(o.seed * 1000 + epoch);
    const dropoutBase = rng.fork();
    const batches = batchIndices(data.train.size, cfg.batch_size, carrier ? undefined : rng);
    const done = Math.max(0, state.step - state.epoch * stepsPerEpoch);
    if (carrier && done > 0) carrier.restore(o.run.last);
    else carrier?.reset();
    let epochLoss = 0;
    let epochN = 0;
    const epochStart = Date.now();
    let i = done;
    for (; i < stepsPerEpoch; i++) {
      if (o.signal?.aborted) {
        status = 'interrupted';
        break epochs;
      }
      if (state.step >= totalSteps) break;
      if (Date.now() - started >= budgetMs) {
        status = 'time_budget';
        message = `time budget of ${typeof cfg.time_budget === 'number' ? `${cfg.time_budget}s` : cfg.time_budget} reached at step ${state.step}; last/ saved and evaluated`;
        break epochs;
      }
      const lr = nextLr();
      setLearningRate(o.optimizer, lr);
      seedDropout((dropoutBase + Math.imul(i + 1, 0x9e3779b1)) >>> 0);
      const indices = batches.slice(i * N, (i + 1) * N);
      const group = indices.map((idx) => data.train.batch(idx));
      const limit = cfg.divergence_factor === null || state.first_loss === null ? Infinity : cfg.divergence_factor * Math.max(1, state.first_loss);
      const r = stepper.step(group, lr, limit, indices);
      group.forEach(disposeBatch);
      if (!r.finite) {
        status = 'diverged';
        const what = !Number.isFinite(r.loss)
          ? `the loss became ${r.loss}`
          : r.loss > limit
            ? `the loss became ${r.loss.toPrecision(6)}, over train.divergence_factor (${cfg.divergence_factor}) × the first step's ${state.first_loss!.toPrecision(6)}`
            : `the gradient norm became ${r.gradNorm}`;
        message =
          `training diverged at step ${state.step + 1}: ${what}; the last finite loss was ${Number.isNaN(lastLoss) ? 'not measured in this invocation' : lastLoss.toPrecision(6)} (step ${state.step}). ` +
          `Lower train.learning_rate (now ${cfg.learning_rate}) or set train.clip_norm (now ${cfg.clip_norm ?? 'null, off'}). ` +
          `last/ holds the weights from before the divergence.`;
        break epochs;
      }
      state.step++;
      state.first_loss ??= r.loss;
      lastLoss = r.loss;
      lossSum += r.loss;
      lossN++;
      epochLoss += r.loss;
      epochN++;
      const now = Date.now();
      recent.push({ t: now, n: indices.reduce((a, b) => a + b.length, 0) * data.train.targetsPerExample });
      while (recent.length > 20) recent.shift();
      if (state.step % cfg.log_every === 0 || i === stepsPerEpoch - 1 || state.step === totalSteps) {
        const span = (now - (recent.length > 1 ? recent[0].t : epochStart)) / 1000;
        const n = recent.slice(recent.length > 1 ? 1 : 0).reduce((a, x) => a + x.n, 0);
        const perStep = span > 0 ? span / Math.max(1, recent.length - 1) : 0;
        const seconds = (now - t0) / 1000;
        pending.push({ step: state.step, epoch, loss: r.loss, learning_rate: lr, seconds });
        hooks.onStep?.({
          epoch, epochs: cfg.epochs, step: state.step, totalSteps, epochStep: i + 1, stepsPerEpoch, loss: r.loss, learningRate: lr,
          throughput: span > 0 ? n / span : 0, throughputUnit: unit, etaSeconds: perStep * (totalSteps - state.step),
        });
      }
      if (cfg.eval_every_steps !== null && state.step % cfg.eval_every_steps === 0) {
        const e = await evaluate(epoch);
        if (i === stepsPerEpoch - 1) state.epoch = epoch;
        await saveLast();
        if (e.stop && !planDone()) {
          status = 'stopped_early';
          break epochs;
        }
      }
      if (cfg.checkpoint.every_steps !== null && state.step % cfg.checkpoint.every_steps === 0) {
        // last/ too (unless the evaluation above just saved it), so a killed run resumes from here, not from the epoch start
        if (cfg.eval_every_steps === null || state.step % cfg.eval_every_steps !== 0) await saveLast();
        const dir = await saveNumbered(model, o.run, state, cfg.checkpoint.keep_last);
        hooks.onCheckpoint?.({ kind: 'step', dir, step: state.step });
      }
      await yieldToEventLoop();
    }
    if (i >= stepsPerEpoch) state.epoch = epoch;
    const e = cfg.eval_every_steps === null ? await evaluate(epoch) : null;
    hooks.onEpoch?.({
      epoch, epochs: cfg.epochs, step: state.step, trainLoss: epochLoss / Math.max(1, epochN),
      validLoss: e?.valid?.loss ?? null, validMetrics: e?.valid ?? null, improved: e?.improved ?? false, seconds: (Date.now() - t0) / 1000,
    });
    await saveLast();
    if (e?.stop && !planDone()) {
      status = 'stopped_early';
      break;
    }
  }
  if (status === 'diverged') {
    // the weights the last finite loss was measured at, one step back; the optimizer slots are not kept
    if (stepper.restoreLastGood()) {
      state.step = Math.max(0, state.step - 1);
      state.epoch = Math.min(state.epoch, Math.floor(state.step / stepsPerEpoch));
      await saveLast(false);
    } else {
      o.run.appendSteps(pending); // no finite step in this invocation: last/ stays as it was
    }
  } else if (status !== 'interrupted' && state.last_eval_step !== state.step) {
    await evaluate(state.epoch + (state.step > state.epoch * stepsPerEpoch ? 1 : 0));
    await saveLast();
  } else if (status === 'interrupted') {
    await saveLast();
  }
  stepper.dispose();
  carrier?.close();
  state.seconds = (Date.now() - t0) / 1000;
  return { state, history, status, message };
}
