/**
 * What scoring, generation and prediction need of a trained model. A tf.LayersModel satisfies it
 * as it is, and so does every fitted baseline (src/baselines/), so `scoreSplit`, the stepper and
 * the tasks' `predict` never ask which kind of model they hold. Inputs and outputs follow the
 * per-task contract in types.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../backend/index.js';
import type { ModelConfig } from '../config/schema/index.js';
import { RunError } from '../util/errors.js';
import { readJson } from '../util/fs.js';
import { BASELINE_FILE } from '../baselines/types.js';
import { loadCheckpoint } from './io.js';
import { familyOf } from './registry.js';
import type { Predictor } from './types.js';

/** The contract lives in types.ts, so baselines implement it without importing this loader. */
export type { Predictor } from './types.js';

/** Loads the checkpoint in `dir` of a run whose `model:` section is `model`. */
export async function loadPredictor(dir: string, model: ModelConfig): Promise<Predictor> {
  const family = familyOf(model.type);
  if (!('load' in family)) return loadCheckpoint(dir);
  const file = path.join(dir, BASELINE_FILE);
  if (!fs.existsSync(file)) throw new RunError(`no ${model.type} baseline in ${dir} (${BASELINE_FILE} is missing)`);
  let json: unknown;
  try {
    json = readJson(file);
  } catch (e) {
    throw new RunError(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)}); the run directory is damaged.`);
  }
  return family.load(json, model, file);
}

/** The network behind `model`, for code that needs its layers (seq2seq decoding); a RunError for a fitted baseline. */
export function layersOf(model: Predictor, what: string): tf.LayersModel {
  if (model instanceof tf.LayersModel) return model;
  throw new RunError(`${what} needs a trained network; this run holds a fitted baseline.`);
}
