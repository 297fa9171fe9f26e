/**
 * The training loop: seeded batches, one optimizer step per batch (loss → gradients → clip → apply),
 * validation each epoch, `last` and `best` checkpoints, early stopping, and a clean stop on abort
 * (Ctrl-C) that still leaves a usable `last` checkpoint. It reports through hooks and never prints.
 */
import { tf } from '../backend/index.js';
import type { TrainConfig } from '../config/schema/index.js';
import { batchIndices, type Batch } from '../data/batch.js';
import { saveCheckpoint } from '../models/io.js';
import { seedDropout } from '../models/layers/dropout.js';
import { scoreSplit } from '../tasks/score.js';
import type { Prepared, TaskSpec } from '../tasks/types.js';
import { Rng } from '../util/rng.js';
import type { TrainHooks } from './events.js';
import { clipByGlobalNorm, learningRateAt, setLearningRate } from './optim.js';
import { saveOptimizer } from './optimizer-state.js';
import type { HistoryRow, RunDir, TrainState } from './rundir.js';

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
  status: 'finished' | 'interrupted' | 'stopped_early';
}

function disposeBatch(b: Batch): void {
  tf.dispose([...b.xs, b.ys, ...(b.weights ? [b.weights] : [])]);
}

/** One optimizer step on a batch; returns the loss before the update. */
export function trainStep(model: tf.LayersModel, task: TaskSpec, b: Batch, opt: tf.Optimizer, clipNorm: number | null): number {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const xs = b.xs.length === 1 ? b.xs[0] : b.xs;
  const { value, grads } = tf.variableGrads(() => task.loss(model.apply(xs, { training: true }) as tf.Tensor, b.ys, b.weights), vars);
  const loss = value.dataSync()[0];
  value.dispose();
  clipByGlobalNorm(grads, clipNorm);
  opt.applyGradients(grads);
  tf.dispose(Object.values(grads));
  return loss;
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export async function fit(model: tf.LayersModel, data: Prepared, task: TaskSpec, cfg: TrainConfig, o: FitOptions): Promise<FitResult> {
  const state: TrainState = o.state ?? { epoch: 0, step: 0, best_valid_loss: null, best_epoch: null, epochs_since_best: 0, seconds: 0 };
  const history = o.history ?? [];
  const stepsPerEpoch = Math.ceil(data.train.size / cfg.batch_size);
  const planned = stepsPerEpoch * cfg.epochs;
  const totalSteps = cfg.max_steps === null ? planned : Math.min(planned, cfg.max_steps);
  const params = model.countParams();
  o.hooks?.onStart?.({ params, stepsPerEpoch, totalSteps, resumedFrom: state.step });

  // Batches and dropout are seeded per epoch, so a resumed run continues the same stream.
  let status: FitResult['status'] = 'finished';
  const t0 = Date.now() - state.seconds * 1000;
  const recent: { t: number; n: number }[] = [];

  const saveLast = async () => {
    state.seconds = (Date.now() - t0) / 1000;
    // optimizer slots go into the same folder before it is swapped in, so `last` is always whole
    await saveCheckpoint(model, o.run.last, { 'state.json': state }, (tmp) => saveOptimizer(o.optimizer, tmp));
    o.hooks?.onCheckpoint?.({ kind: 'last', dir: o.run.last });
  };

  epochs: while (state.epoch < cfg.epochs && state.step < totalSteps) {
    const epoch = state.epoch + 1;
    const rng = new Rng(o.seed * 1000 + epoch);
    seedDropout(rng.fork());
    const batches = batchIndices(data.train.size, cfg.batch_size, rng);
    // a run interrupted mid-epoch resumes after the batches it had done (same seeded order)
    const done = Math.max(0, state.step - state.epoch * stepsPerEpoch);
    let lossSum = 0;
    let lossN = 0;
    const epochStart = Date.now();
    for (let i = done; i < batches.length; i++) {
      if (o.signal?.aborted) {
        status = 'interrupted';
        break epochs;
      }
      if (state.step >= totalSteps) break;
      const lr = learningRateAt(cfg, state.step, totalSteps);
      setLearningRate(o.optimizer, lr);
      const b = data.train.batch(batches[i]);
      const loss = trainStep(model, task, b, o.optimizer, cfg.clip_norm);
      disposeBatch(b);
      if (!Number.isFinite(loss)) {
        o.hooks?.onWarning?.(`loss is ${loss} at step ${state.step + 1}; lower train.learning_rate or set train.clip_norm`);
      }
      state.step++;
      lossSum += loss;
      lossN++;
      const now = Date.now();
      recent.push({ t: now, n: batches[i].length * data.train.targetsPerExample });
      while (recent.length > 20) recent.shift();
      if (state.step % cfg.log_every === 0 || i === batches.length - 1 || state.step === totalSteps) {
        const span = (now - (recent.length > 1 ? recent[0].t : epochStart)) / 1000;
        const n = recent.slice(recent.length > 1 ? 1 : 0).reduce((a, r) => a + r.n, 0);
        const throughput = span > 0 ? n / span : 0;
        const perStep = span > 0 ? span / Math.max(1, recent.length - 1) : 0;
        o.hooks?.onStep?.({
          epoch,
          epochs: cfg.epochs,
          step: state.step,
          totalSteps,
          epochStep: i + 1,
          stepsPerEpoch,
          loss,
          learningRate: lr,
          throughput,
          throughputUnit: data.train.targetsPerExample > 1 ? 'tokens/s' : 'examples/s',
          etaSeconds: perStep * (totalSteps - state.step),
        });
      }
      await yieldToEventLoop();
    }
    const partial = done + lossN < batches.length;
    const valid = data.valid ? scoreSplit(model, data.valid, task, cfg.eval_batch_size) : null;
    const validLoss = valid ? valid.loss : null;
    const trainLoss = lossSum / Math.max(1, lossN);
    const improved = validLoss !== null ? state.best_valid_loss === null || validLoss < state.best_valid_loss : true;
    state.epoch = partial ? state.epoch : epoch;
    if (improved) {
      state.best_valid_loss = validLoss ?? trainLoss;
      state.best_epoch = epoch;
      state.epochs_since_best = 0;
    } else {
      state.epochs_since_best++;
    }
    const seconds = (Date.now() - t0) / 1000;
    history.push({ epoch, step: state.step, train_loss: trainLoss, valid_loss: validLoss, learning_rate: learningRateAt(cfg, state.step, totalSteps), seconds });
    o.run.writeHistory(history);
    o.hooks?.onEpoch?.({ epoch, epochs: cfg.epochs, step: state.step, trainLoss, validLoss, validMetrics: valid, improved, seconds });
    if (improved) {
      await saveCheckpoint(model, o.run.best, { 'state.json': state });
      o.hooks?.onCheckpoint?.({ kind: 'best', dir: o.run.best });
    }
    await saveLast();
    if (cfg.patience !== null && state.epochs_since_best >= cfg.patience) {
      status = 'stopped_early';
      break;
    }
  }
  if (status === 'interrupted') await saveLast();
  state.seconds = (Date.now() - t0) / 1000;
  return { state, history, status };
}
