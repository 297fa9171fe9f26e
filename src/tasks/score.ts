/** Runs a model over a split in order and accumulates the task's metrics. */
import { tf } from '../backend/index.js';
import type { Split } from '../data/batch.js';
import { batchIndices } from '../data/batch.js';
import type { Predictor } from '../models/predictor.js';
import type { TaskSpec } from './types.js';

/** The model's outputs for one batch's inputs (a network in inference mode, or a baseline). */
export function predict(model: Predictor, xs: tf.Tensor[]): tf.Tensor {
  return model.apply(xs.length === 1 ? xs[0] : xs, { training: false }) as tf.Tensor;
}

export function scoreSplit(model: Predictor, split: Split, task: TaskSpec, batchSize: number): Record<string, number> {
  const acc = task.metrics(split, model);
  for (const idx of batchIndices(split.size, batchSize)) {
    const b = split.batch(idx);
    const out = tf.tidy(() => predict(model, b.xs));
    acc.add(out, b.ys, b.weights);
    tf.dispose([out, ...b.xs, b.ys, ...(b.weights ? [b.weights] : [])]);
  }
  return acc.result();
}
