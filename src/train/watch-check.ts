/**
 * Checks, before a run directory is touched, that the metrics early stopping and reduce-on-plateau
 * watch are ones the task reports on the validation split (scored on a single example).
 */
import { tf } from '../backend/index.js';
import type { TrainConfig } from '../config/schema/index.js';
import type { Prepared, TaskSpec } from '../tasks/types.js';
import { predict } from '../tasks/score.js';
import { ConfigError } from '../util/errors.js';
import { metricValue } from './monitor.js';
import { disposeBatch } from './step.js';

export function checkWatchedMetrics(model: tf.LayersModel, data: Prepared, task: TaskSpec, cfg: TrainConfig): void {
  const watched = [
    ['train.early_stopping.metric', cfg.early_stopping?.metric],
    ['train.reduce_on_plateau.metric', cfg.reduce_on_plateau?.metric],
  ].filter((w): w is [string, string] => w[1] !== undefined);
  if (!watched.length) return;
  if (!data.valid) {
    throw new ConfigError('config', watched.map(([key]) => `${key}: needs a validation split (data.valid is 0); set data.valid`));
  }
  if (watched.every(([, m]) => m === 'loss')) return;
  const acc = task.metrics(data.valid, model);
  const b = data.valid.batch([0]);
  const out = tf.tidy(() => predict(model, b.xs));
  acc.add(out, b.ys, b.weights);
  tf.dispose(out);
  disposeBatch(b);
  const names = acc.result();
  for (const [key, m] of watched) metricValue(names, m, key);
}
