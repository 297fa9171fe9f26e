/**
 * One optimizer step: gradients of one or more batches (summed, each weighted by its share of the
 * examples or target weights, so N batches of B give the update of one batch of N·B), clipping, adamw's decoupled
 * decay, the update. A loss or gradient norm that is NaN or infinite is not applied; the weights
 * the last finite loss was measured at are kept aside so a diverged run can save them.
 */
import { tf } from '../backend/index.js';
import { runtime } from '../backend/runtime.js';
import type { TrainConfig } from '../config/schema/index.js';
import type { Batch } from '../data/batch.js';
import type { TaskSpec } from '../tasks/types.js';
import { applyWeightDecay, clipByGlobalNorm, decayedVariables } from './optim.js';

export interface StepResult {
  /** mean loss over the step's examples, before the update */
  loss: number;
  /** global gradient norm before clipping */
  gradNorm: number;
  /** false when the loss or gradient was NaN / infinite, or the loss over `limit`: nothing was applied */
  finite: boolean;
}

export function disposeBatch(b: Batch): void {
  tf.dispose([...b.xs, b.ys, ...(b.weights ? [b.weights] : [])]);
}

/**
 * A forward pass other than `model.apply`: train.tbptt's carried recurrent state. `forward` runs
 * inside the gradient tape on batch b (examples `indices`); `advance` is called once its gradients
 * are taken.
 */
export interface CarriedForward {
  forward(b: Batch, indices: readonly number[]): tf.Tensor;
  advance(): void;
}

/** Loss and gradients of one batch. xs: the model's inputs; ys / weights: as the task's loss takes them. */
function batchGrads(model: tf.LayersModel, task: TaskSpec, b: Batch, vars: tf.Variable[], carried?: { via: CarriedForward; indices: readonly number[] }): { loss: number; grads: tf.NamedTensorMap } {
  const xs = b.xs.length === 1 ? b.xs[0] : b.xs;
  const forward = () => (carried ? carried.via.forward(b, carried.indices) : (model.apply(xs, { training: true }) as tf.Tensor));
  const { value, grads } = tf.variableGrads(() => task.loss(forward(), b.ys, b.weights), vars);
  carried?.via.advance();
  const loss = value.dataSync()[0];
  value.dispose();
  return { loss, grads };
}

/**
 * What a batch's mean loss averages over: the sum of its target weights when it has them (every
 * weighted task loss is Σ w·loss / Σ w), else its examples (unweighted losses average over
 * examples × a fixed count per example).
 */
function share(b: Batch): number {
  if (!b.weights) return b.ys.shape[0];
  const s = tf.tidy(() => b.weights!.cast('float32').sum());
  const v = s.dataSync()[0];
  s.dispose();
  return v;
}

/** Gradients summed over `batches`, batch k weighted by its share of what the loss averages over: exactly one big batch's gradient. */
export function accumulatedGrads(
  model: tf.LayersModel,
  task: TaskSpec,
  batches: Batch[],
  vars: tf.Variable[],
  carried?: { via: CarriedForward; indices: (readonly number[])[] },
): { loss: number; grads: tf.NamedTensorMap } {
  const on = (k: number) => (carried ? { via: carried.via, indices: carried.indices[k] } : undefined);
  if (batches.length === 1) return batchGrads(model, task, batches[0], vars, on(0));
  const sizes = batches.map(share);
  const total = sizes.reduce((a, b) => a + b, 0);
  let loss = 0;
  let acc: tf.NamedTensorMap = {};
  batches.forEach((b, k) => {
    const w = total > 0 ? sizes[k] / total : 1 / batches.length;
    const r = batchGrads(model, task, b, vars, on(k));
    loss += r.loss * w;
    const next: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(r.grads)) next[name] = tf.tidy(() => (acc[name] ? acc[name].add(g.mul(w)) : g.mul(w)));
    tf.dispose([...Object.values(r.grads), ...Object.values(acc)]);
    acc = next;
  });
  return { loss, grads: acc };
}

export class Stepper {
  private readonly vars: tf.Variable[];
  private readonly decayed: tf.Variable[];
  /** the weights the last finite loss was measured at (clones share buffers until the update writes new ones) */
  private snapshot: tf.Tensor[] | null = null;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly task: TaskSpec,
    private readonly opt: tf.Optimizer,
    private readonly cfg: TrainConfig,
    /** train.tbptt: the forward pass that carries recurrent state from batch to batch */
    private readonly carried?: CarriedForward,
  ) {
    this.vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.decayed = decayedVariables(this.vars, cfg);
  }

  /**
   * One optimizer step over `batches` (grad_accum_steps of them) at learning rate `lr` (already set
   * on the optimizer); a loss over `limit` counts as diverged.
   */
  step(batches: Batch[], lr: number, limit = Infinity, indices: (readonly number[])[] = []): StepResult {
    const carried = this.carried ? { via: this.carried, indices } : undefined;
    const { loss, grads } = accumulatedGrads(this.model, this.task, batches, this.vars, carried);
    const gradNorm = clipByGlobalNorm(grads, this.cfg.clip_norm);
    const finite = Number.isFinite(loss) && Number.isFinite(gradNorm) && loss <= limit;
    if (finite) {
      tf.dispose(this.snapshot ?? []);
      this.snapshot = this.vars.map((v) => tf.clone(v));
      if (this.decayed.length) applyWeightDecay(this.decayed, lr, this.cfg.weight_decay);
      this.opt.applyGradients(grads);
      runtime().weightsChanged();
    }
    tf.dispose(Object.values(grads));
    return { loss, gradNorm, finite };
  }

  /** Puts back the weights of the last finite step; false when no step was finite. */
  restoreLastGood(): boolean {
    if (!this.snapshot) return false;
    this.vars.forEach((v, i) => v.assign(this.snapshot![i]));
    runtime().weightsChanged();
    return true;
  }

  dispose(): void {
    tf.dispose(this.snapshot ?? []);
    this.snapshot = null;
  }
}
