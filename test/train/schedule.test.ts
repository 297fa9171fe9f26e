/** Learning rates at chosen steps, hand-computed; the plateau factor; the metric monitor. */
import { describe, expect, it } from 'vitest';
import { TrainSchema, type TrainConfig } from '../../src/config/schema/index.js';
import { effectiveLearningRate, learningRateAt } from '../../src/train/schedule.js';
import { direction, freshMonitor, observe } from '../../src/train/monitor.js';

const cfg = (o: Partial<TrainConfig>) => TrainSchema.parse({ learning_rate: 1, ...o });

describe('learning-rate schedules', () => {
  it('warms up linearly, then cosine decays to min_lr', () => {
    const c = cfg({ lr_schedule: 'cosine', warmup_steps: 4, min_lr: 0.1 });
    expect(learningRateAt(c, 0, 104)).toBeCloseTo(0.25);
    expect(learningRateAt(c, 3, 104)).toBeCloseTo(1);
    expect(learningRateAt(c, 4, 104)).toBeCloseTo(1);
    expect(learningRateAt(c, 54, 104)).toBeCloseTo(0.55); // halfway: 0.1 + 0.9 · 0.5
    expect(learningRateAt(c, 104, 104)).toBeCloseTo(0.1);
  });

  it('linear decays to min_lr', () => {
    const c = cfg({ lr_schedule: 'linear', min_lr: 0.2 });
    expect(learningRateAt(c, 25, 100)).toBeCloseTo(0.8);
    expect(learningRateAt(c, 100, 100)).toBeCloseTo(0.2);
  });

  it('step: gamma at 50% and 75%, or every step_every steps', () => {
    const c = cfg({ lr_schedule: 'step', gamma: 0.5 });
    expect([0, 49, 50, 74, 75].map((s) => learningRateAt(c, s, 100))).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const e = cfg({ lr_schedule: 'step', gamma: 0.1, step_every: 10, warmup_steps: 2 });
    expect(learningRateAt(e, 11, 100)).toBeCloseTo(1);
    expect(learningRateAt(e, 12, 100)).toBeCloseTo(0.1);
    expect(learningRateAt(e, 32, 100)).toBeCloseTo(0.001);
  });

  it('reduce_on_plateau multiplies the schedule, floored at its min_lr', () => {
    const c = cfg({ reduce_on_plateau: { factor: 0.5, min_lr: 0.3 } });
    expect(effectiveLearningRate(c, 5, 10, 0.5)).toBe(0.5);
    expect(effectiveLearningRate(c, 5, 10, 0.25)).toBe(0.3);
  });
});

describe('metric monitor', () => {
  it('infers the direction from the metric name', () => {
    expect(direction({ metric: 'accuracy', mode: 'auto', min_delta: 0 })).toBe('max');
    expect(direction({ metric: 'perplexity', mode: 'auto', min_delta: 0 })).toBe('min');
  });

  it('counts evaluations since the best, with min_delta', () => {
    const spec = { metric: 'accuracy', mode: 'max' as const, min_delta: 0.01 };
    const s = freshMonitor();
    expect([0.5, 0.505, 0.52, 0.4].map((v) => observe(s, spec, v))).toEqual([true, false, true, false]);
    expect(s).toEqual({ best: 0.52, wait: 1 });
  });
});

describe('train schema', () => {
  it('accepts durations such as 90s, 10m, 1h30m and refuses prose', () => {
    for (const d of ['90s', '10m', '1h30m', 45]) expect(TrainSchema.safeParse({ time_budget: d }).success).toBe(true);
    for (const d of ['10 minutes please', '10', 'm', '-5s', '']) expect(TrainSchema.safeParse({ time_budget: d }).success).toBe(false);
  });

  it('refuses grad_accum_steps: 0', () => {
    expect(TrainSchema.safeParse({ grad_accum_steps: 0 }).success).toBe(false);
  });
});
