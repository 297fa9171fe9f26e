/** Task registry keyed by `task`. Later tasks are added here; lookups list the valid ones. */
import type { Task } from '../config/schema/index.js';
import { SeqnetError } from '../util/errors.js';
import { classification } from './classification.js';
import { forecasting } from './forecasting.js';
import { languageModel } from './language_model.js';
import { maskedLm } from './masked_lm.js';
import { seq2seq } from './seq2seq.js';
import { tagging } from './tagging.js';
import type { TaskSpec } from './types.js';

export * from './types.js';

const TASKS: Partial<Record<Task, TaskSpec>> = {
  classification,
  tagging,
  language_model: languageModel,
  forecasting,
  seq2seq,
  masked_lm: maskedLm,
};

export function taskSpec(task: Task): TaskSpec {
  const t = TASKS[task];
  if (!t) throw new SeqnetError(`task \`${task}\` is not available yet (available: ${Object.keys(TASKS).join(', ')})`, 2);
  return t;
}
