/**
 * Every baseline `model.type` mapped to its family: `bow` is a small network trained by the
 * ordinary loop (a ModelFamily, like the neural families); the others are fitted in one pass
 * (a FittedFamily). models/registry.ts joins this table with the neural one.
 */
import type { BaselineType, ModelConfig } from '../config/schema/index.js';
import type { ModelFamily } from '../models/types.js';
import { bowFamily } from './bow.js';
import { arFamily, naiveFamily, seasonalNaiveFamily } from './forecast.js';
import { ngramFamily } from './ngram.js';
import type { FittedFamily } from './types.js';

type Of<K extends BaselineType> = Extract<ModelConfig, { type: K }>;
type Registry = { [K in BaselineType]: ModelFamily<Of<K>> | FittedFamily<Of<K>> };

export const BASELINE_REGISTRY: Registry = {
  bow: bowFamily,
  ngram: ngramFamily,
  naive: naiveFamily,
  seasonal_naive: seasonalNaiveFamily,
  ar: arFamily,
};

export const isBaselineType = (type: string): type is BaselineType => Object.hasOwn(BASELINE_REGISTRY, type);
