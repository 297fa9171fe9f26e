/**
 * The one metric each task is judged by (the second panel of loss.svg, the default of a sweep's
 * leaderboard), with its direction and unit, and the unit of each task's training loss.
 */
import type { Task } from '../config/schema/index.js';

export interface Headline {
  metric: string;
  mode: 'min' | 'max';
  unit: string;
  lossUnit: string;
}

const CE = 'cross-entropy, nats';
export const HEADLINE: Record<Task, Headline> = {
  classification: { metric: 'accuracy', mode: 'max', unit: 'fraction correct', lossUnit: CE },
  tagging: { metric: 'accuracy', mode: 'max', unit: 'fraction of tokens correct', lossUnit: CE },
  language_model: { metric: 'bits_per_token', mode: 'min', unit: 'bits/token', lossUnit: `${CE} per token` },
  masked_lm: { metric: 'masked_accuracy', mode: 'max', unit: 'fraction of masked tokens correct', lossUnit: `${CE} per masked token` },
  seq2seq: { metric: 'bleu', mode: 'max', unit: 'corpus BLEU, 0 to 1', lossUnit: `${CE} per target token` },
  forecasting: { metric: 'mae', mode: 'min', unit: 'target units', lossUnit: 'MSE, standardised units' },
};

/** `loss` is reported by every task: lower is better, in the task's loss unit */
export function metricInfo(task: Task, metric: string): { mode: 'min' | 'max'; unit: string } {
  const h = HEADLINE[task];
  if (metric === h.metric) return h;
  if (metric === 'loss') return { mode: 'min', unit: h.lossUnit };
  const min = /loss|perplexity|bits|mae|rmse|mape|mase|error/.test(metric);
  return { mode: min ? 'min' : 'max', unit: '' };
}

/** the metric names each task reports on a split (per-label and per-step keys such as `f1/<label>` come on top) */
export const TASK_METRICS: Record<Task, readonly string[]> = {
  classification: ['loss', 'accuracy', 'macro_f1'],
  tagging: ['loss', 'accuracy', 'macro_f1'],
  language_model: ['loss', 'perplexity', 'bits_per_token'],
  masked_lm: ['loss', 'perplexity', 'masked_accuracy'],
  seq2seq: ['loss', 'perplexity', 'exact_match', 'token_accuracy', 'bleu'],
  forecasting: ['loss', 'mae', 'rmse', 'mape', 'smape', 'mase'],
};

/** true when `metric` is one the task reports: a name above, or a per-label / per-step key of one */
export function taskReports(task: Task, metric: string): boolean {
  const base = metric.split('/')[0];
  return TASK_METRICS[task].includes(metric) || (metric.includes('/') && (TASK_METRICS[task].includes(base) || ['precision', 'recall', 'f1'].includes(base)));
}
