/**
 * The `model:` settings of the classic baselines (src/baselines/), one strict object per `type`,
 * joined into the ModelSchema union in model.ts. They are trained by `seqnet train` and scored by
 * the same task metrics as the neural families.
 */
import { z } from 'zod';
import type { DataConfig } from './data.js';
import type { Task } from './task.js';

export const NgramSchema = z
  .object({
    type: z.literal('ngram').describe("n-gram language model over the tokenizer's ids, fitted by counting (no training steps)"),
    order: z.number().int().min(1).max(10).default(3).describe('n: each token is predicted from the n-1 tokens before it'),
    smoothing: z
      .enum(['kneser_ney', 'add_k'])
      .default('kneser_ney')
      .describe('interpolated Kneser-Ney (Chen & Goodman 1998), or add-k: (count + k) / (context count + k·V) at the highest order'),
    k: z.number().positive().default(1).describe('add_k: pseudo-count added to every token (1 = Laplace)'),
    discount: z
      .number()
      .gt(0)
      .max(1)
      .nullable()
      .default(null)
      .describe('kneser_ney: absolute discount D for every order; null = estimated per order as n1 / (n1 + 2·n2) from the counts of counts'),
  })
  .strict();

export const BowSchema = z
  .object({
    type: z
      .literal('bow')
      .describe('bag-of-words / n-gram features of the tokens with a softmax (multinomial logistic regression) classifier, trained like any model'),
    ngram_range: z
      .tuple([z.number().int().positive(), z.number().int().positive()])
      .default([1, 2])
      .describe('[min, max] length of the token n-grams used as features ([1, 1] = single tokens)'),
    weighting: z
      .enum(['count', 'binary', 'tfidf'])
      .default('tfidf')
      .describe('feature value: occurrences, presence (0/1), or count × idf with each row scaled to unit length (idf = ln((1+N)/(1+df)) + 1)'),
    max_features: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(20000)
      .describe('keep the most frequent n-grams of the training split; null = all'),
  })
  .strict();

export const NaiveSchema = z
  .object({
    type: z.literal('naive').describe('forecasts every future step as the last observed value of each target'),
  })
  .strict();

export const SeasonalNaiveSchema = z
  .object({
    type: z.literal('seasonal_naive').describe('forecasts each future step as the value one season earlier'),
    season: z.number().int().positive().describe('season length S in rows (e.g. 24 for hourly data with a daily cycle); at most data.lookback'),
  })
  .strict();

export const ArSchema = z
  .object({
    type: z
      .literal('ar')
      .describe(
        'linear autoregression: every target at every horizon step is a linear function of the last data.lookback rows of all ' +
          'features (plus an intercept), fitted by least squares on the training windows (normal equations)',
      ),
    l2: z
      .number()
      .min(0)
      .default(1e-6)
      .describe('ridge penalty λ on the coefficients (not the intercept), in units of the mean squared error; keeps the fit stable when features are collinear'),
  })
  .strict();

export const BASELINE_SCHEMAS = [NgramSchema, BowSchema, NaiveSchema, SeasonalNaiveSchema, ArSchema] as const;
export type NgramConfig = z.infer<typeof NgramSchema>;
export type BowConfig = z.infer<typeof BowSchema>;
export type NaiveConfig = z.infer<typeof NaiveSchema>;
export type SeasonalNaiveConfig = z.infer<typeof SeasonalNaiveSchema>;
export type ArConfig = z.infer<typeof ArSchema>;
export type BaselineConfig = NgramConfig | BowConfig | NaiveConfig | SeasonalNaiveConfig | ArConfig;
export type BaselineType = BaselineConfig['type'];

/** Settings of a baseline that cannot work with the data (the schema alone cannot say). */
export function baselineProblems(model: { type: string }, _task: Task, data: DataConfig): { path: (string | number)[]; msg: string }[] {
  const out: { path: (string | number)[]; msg: string }[] = [];
  const m = model as BaselineConfig;
  if (m.type === 'bow' && m.ngram_range[0] > m.ngram_range[1]) {
    out.push({ path: ['model', 'ngram_range'], msg: `[${m.ngram_range.join(', ')}]: the first number (shortest n-gram) must not exceed the second` });
  }
  if ((m.type === 'naive' || m.type === 'seasonal_naive') && data.features && data.targets) {
    const missing = data.targets.filter((t) => !data.features!.includes(t));
    if (missing.length) {
      out.push({
        path: ['data', 'targets'],
        msg: `${m.type} repeats past values of each target, so every target must also be a feature: add ${missing.join(', ')} to data.features`,
      });
    }
  }
  if (m.type === 'seasonal_naive' && m.season > data.lookback) {
    out.push({
      path: ['model', 'season'],
      msg: `season ${m.season} is longer than data.lookback (${data.lookback}): the window must hold one whole season. Raise data.lookback or lower model.season`,
    });
  }
  return out;
}
