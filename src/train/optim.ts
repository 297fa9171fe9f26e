/** Optimizers, learning-rate schedules and gradient clipping, driven by the `train:` slice. */
import { adam } from '../backend/adam.js';
import { tf } from '../backend/index.js';
import type { TrainConfig } from '../config/schema/index.js';

export function makeOptimizer(cfg: TrainConfig): tf.Optimizer {
  switch (cfg.optimizer) {
    case 'adam':
      return adam(cfg.learning_rate); // tf.train.adam with the fused update on the pure-JS path
    case 'sgd':
      return tf.train.sgd(cfg.learning_rate);
    case 'rmsprop':
      return tf.train.rmsprop(cfg.learning_rate);
  }
}

/** Sets the optimizer's learning rate for the next step (SGD caches it, the others read it). */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** Learning rate at `step` (0-based) of `total` planned steps: warm-up, then the schedule. */
export function learningRateAt(cfg: TrainConfig, step: number, total: number): number {
  const base = cfg.learning_rate;
  if (step < cfg.warmup_steps) return (base * (step + 1)) / cfg.warmup_steps;
  const span = Math.max(1, total - cfg.warmup_steps);
  const p = Math.min(1, (step - cfg.warmup_steps) / span);
  switch (cfg.lr_schedule) {
    case 'constant':
      return base;
    case 'cosine':
      return base * 0.5 * (1 + Math.cos(Math.PI * p));
    case 'linear':
      return base * (1 - p);
    case 'step':
      // ×0.1 at 50% and 75% of training, as in the classic ResNet recipe
      return base * (p >= 0.75 ? 0.01 : p >= 0.5 ? 0.1 : 1);
  }
}

/**
 * √(Σ g²) over every gradient. On the pure-JS cpu backend one pass over the values (summed in
 * f64) instead of a square and a sum op per variable; elsewhere (native, GPU) with tensor ops.
 */
function globalNorm(gs: tf.Tensor[]): number {
  if (tf.getBackend() === 'cpu') {
    let s = 0;
    for (const g of gs) {
      const v = g.dataSync();
      for (let i = 0; i < v.length; i++) s += v[i] * v[i];
    }
    return Math.sqrt(s);
  }
  const normT = tf.tidy(() => tf.sqrt(tf.addN(gs.map((g) => g.square().sum()))));
  const norm = normT.dataSync()[0];
  normT.dispose();
  return norm;
}

/** Scales gradients so their global L2 norm is at most `clipNorm`; returns the norm before clipping. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number | null): number {
  const names = Object.keys(grads);
  const norm = globalNorm(names.map((n) => grads[n]));
  if (clipNorm !== null && norm > clipNorm && Number.isFinite(norm)) {
    const scale = clipNorm / norm;
    for (const n of names) {
      const g = grads[n];
      grads[n] = tf.tidy(() => g.mul(scale));
      g.dispose();
    }
  }
  return norm;
}
