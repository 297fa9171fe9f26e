/**
 * The model side of the plots: the run's data prepared with its saved artifacts, the split the
 * pictures show (test, else valid), and the best checkpoint loaded through the library.
 */
import fs from 'node:fs';
import { tf } from '../backend/index.js';
import type { Split } from '../data/batch.js';
import { batchIndices } from '../data/batch.js';
import { loadPredictor, type Predictor } from '../models/predictor.js';
import { taskSpec, type Prepared } from '../tasks/index.js';
import { predict } from '../tasks/score.js';
import { openRun, type OpenRun } from '../train/rundir.js';
import { RunError } from '../util/errors.js';

export interface Loaded extends OpenRun {
  data: Prepared;
  split: Split;
  splitName: 'test' | 'valid';
  model: Predictor;
}

/** Opens the run's best (else last) checkpoint and data; the caller disposes `model`. */
export async function loadForPlots(dir: string): Promise<Loaded> {
  const open = openRun(dir);
  const { run, cfg, artifacts } = open;
  const ckpt = fs.existsSync(run.best) ? run.best : run.last;
  if (!fs.existsSync(ckpt)) throw new RunError(`${dir} has no checkpoint yet (neither best/ nor last/).`);
  const data = taskSpec(cfg.task).prepare(cfg, artifacts);
  const splitName = data.test ? 'test' : 'valid';
  const split = data[splitName];
  if (!split) throw new RunError(`${dir}: the run has neither a test nor a valid split to plot.`);
  return { ...open, data, split, splitName, model: await loadPredictor(ckpt, cfg.model) };
}

/**
 * Calls `each` with the model's outputs, targets and weights of every batch of `split`, in order
 * (`first` is the index of the batch's first example); tensors are disposed after the call.
 */
export function forEachBatch(
  model: Predictor, split: Split, batchSize: number,
  each: (out: { outputs: tf.Tensor; ys: tf.Tensor; weights?: tf.Tensor; first: number }) => void,
): void {
  for (const idx of batchIndices(split.size, batchSize)) {
    const b = split.batch(idx);
    const outputs = tf.tidy(() => predict(model, b.xs));
    try {
      each({ outputs, ys: b.ys, weights: b.weights, first: idx[0] });
    } finally {
      tf.dispose([outputs, ...b.xs, b.ys, ...(b.weights ? [b.weights] : [])]);
    }
  }
}
