/** Learning-rate schedules (a function of the step) and reduce-on-plateau (a factor kept in the run state). */
import type { TrainConfig } from '../config/schema/index.js';

/**
 * Scheduled learning rate at `step` (0-based) of `total` planned steps: linear warm-up, then the
 * schedule; cosine and linear decay to `min_lr`; step multiplies by `gamma` at each boundary.
 */
export function learningRateAt(cfg: TrainConfig, step: number, total: number): number {
  const base = cfg.learning_rate;
  if (step < cfg.warmup_steps) return (base * (step + 1)) / cfg.warmup_steps;
  const after = step - cfg.warmup_steps;
  const p = Math.min(1, after / Math.max(1, total - cfg.warmup_steps));
  const floor = Math.min(cfg.min_lr, base);
  switch (cfg.lr_schedule) {
    case 'constant':
      return base;
    case 'cosine':
      return floor + (base - floor) * 0.5 * (1 + Math.cos(Math.PI * p));
    case 'linear':
      return floor + (base - floor) * (1 - p);
    case 'step': {
      // every step_every steps, or at 50% and 75% of training (the classic ResNet recipe)
      const k = cfg.step_every !== null ? Math.floor(after / cfg.step_every) : (p >= 0.5 ? 1 : 0) + (p >= 0.75 ? 1 : 0);
      return base * cfg.gamma ** k;
    }
  }
}

/** The learning rate actually used: the schedule times the plateau factor, never below the plateau's min_lr. */
export function effectiveLearningRate(cfg: TrainConfig, step: number, total: number, plateauScale: number): number {
  const lr = learningRateAt(cfg, step, total);
  if (!cfg.reduce_on_plateau || plateauScale === 1) return lr;
  return Math.max(cfg.reduce_on_plateau.min_lr, lr * plateauScale);
}
