/** seqnet's library API (re-exports only). */
export { initBackend, tf, type BackendInfo } from './backend/index.js';
export { loadConfig, validateConfig } from './config/load.js';
export type { Config } from './config/schema/index.js';
export { train, type TrainOptions, type TrainResult } from './train/index.js';
export { evaluate, type EvalOptions, type EvalResult } from './eval/evaluate.js';
export { generate, type GenerateOptions, type GenerateResult } from './generate/index.js';
export { buildModel, MODEL_REGISTRY } from './models/registry.js';
export { SeqnetError, ConfigError, DataError, RunError } from './util/errors.js';
export { predict, type PredictOptions, type PredictResult } from './predict/index.js';
export type { Predictor } from './models/predictor.js';
export { configReference } from './config/reference.js';
