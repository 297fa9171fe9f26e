/** The classic baselines behind the `model.type` registry (see registry.ts). */
export { BASELINE_REGISTRY, isBaselineType } from './registry.js';
export type { Baseline, BaselineJSON, FitContext, FittedFamily } from './types.js';
export { NgramLM } from './ngram.js';
export { fitBow, featurize, ngramsOf, type BowVocab } from './bow_features.js';
export { LinearAr, SeasonalRepeat } from './forecast.js';
export { saveBaseline } from './io.js';
