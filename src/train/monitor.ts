/**
 * Watching a validation metric across evaluations: the best value so far and how many evaluations
 * passed without beating it. Early stopping, the `best` checkpoint and reduce-on-plateau each keep
 * one, saved in the run state so a resumed run continues the count.
 */
import { ConfigError } from '../util/errors.js';

export interface MonitorState {
  best: number | null;
  /** evaluations since the best */
  wait: number;
}

export interface MonitorSpec {
  metric: string;
  mode: 'auto' | 'min' | 'max';
  min_delta: number;
}

const HIGHER_IS_BETTER = /accuracy|f1|bleu|exact_match|precision|recall|r2/;

export function direction(spec: MonitorSpec): 'min' | 'max' {
  if (spec.mode !== 'auto') return spec.mode;
  return HIGHER_IS_BETTER.test(spec.metric) ? 'max' : 'min';
}

export const freshMonitor = (): MonitorState => ({ best: null, wait: 0 });

/** Records one evaluation's value; returns true when it improves on the best by more than min_delta. */
export function observe(s: MonitorState, spec: MonitorSpec, value: number): boolean {
  const better =
    Number.isFinite(value) &&
    (s.best === null || (direction(spec) === 'min' ? value < s.best - spec.min_delta : value > s.best + spec.min_delta));
  if (better) {
    s.best = value;
    s.wait = 0;
  } else {
    s.wait++;
  }
  return better;
}

/** The value of `spec.metric` in an evaluation's metrics; a metric the task lacks is a config error listing those it has. */
export function metricValue(metrics: Record<string, number>, metric: string, key: string): number {
  if (metric in metrics) return metrics[metric];
  const have = Object.keys(metrics).filter((k) => !k.includes('/'));
  throw new ConfigError('config', [`${key}: this task reports no validation metric \`${metric}\` (it has: ${have.join(', ')})`]);
}
