/** Optimizers, decoupled weight decay and gradient clipping, driven by the `train:` slice. */
import { adam } from '../backend/adam.js';
import { tf } from '../backend/index.js';
import { sumOfSquares } from '../backend/ops/values.js';
import type { TrainConfig } from '../config/schema/index.js';

export { learningRateAt } from './schedule.js';

/**
 * The tfjs optimizer for `cfg.optimizer`. adamw is Adam here plus `applyWeightDecay` before each
 * update (decoupled, so it works with every backend's Adam, the fast kernel included).
 */
export function makeOptimizer(cfg: TrainConfig): tf.Optimizer {
  switch (cfg.optimizer) {
    case 'adam':
    case 'adamw':
      // tf.train.adam's update, fused on the pure-JS path; adamw's decay is applied by the Stepper
      return adam(cfg.learning_rate, cfg.beta1, cfg.beta2, cfg.epsilon);
    case 'sgd':
      return cfg.momentum > 0 ? tf.train.momentum(cfg.learning_rate, cfg.momentum, cfg.nesterov) : tf.train.sgd(cfg.learning_rate);
    case 'rmsprop':
      return tf.train.rmsprop(cfg.learning_rate, 0.9, cfg.momentum, cfg.epsilon);
  }
}

/** Sets the optimizer's learning rate for the next step (SGD / momentum cache it, the others read it). */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** The variables adamw decays: rank ≥ 2 (kernels, embeddings), not biases or norm gains/offsets, unless decay_all_params. */
export function decayedVariables(vars: tf.Variable[], cfg: TrainConfig): tf.Variable[] {
  if (cfg.optimizer !== 'adamw' || cfg.weight_decay === 0) return [];
  return cfg.decay_all_params ? vars : vars.filter((v) => v.rank >= 2);
}

/** Decoupled weight decay (Loshchilov & Hutter, as PyTorch's AdamW): w ← w·(1 − lr·wd), before the Adam update. */
export function applyWeightDecay(vars: tf.Variable[], lr: number, weightDecay: number): void {
  const keep = 1 - lr * weightDecay;
  for (const v of vars) v.assign(tf.tidy(() => v.mul(keep)));
}

/**
 * √(Σ g²) over every gradient. On the pure-JS cpu backend one pass over the values (summed in
 * f64, natively where the kernels are built) instead of a square and a sum op per variable;
 * elsewhere (native, GPU) with tensor ops.
 */
function globalNorm(gs: tf.Tensor[]): number {
  if (tf.getBackend() === 'cpu') return Math.sqrt(sumOfSquares(gs.map((g) => g.dataSync())));
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
