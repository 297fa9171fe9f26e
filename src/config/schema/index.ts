/** The whole experiment config: parsed once, validated, typed, every default on its field. */
import { z } from 'zod';
import { DataSchema } from './data.js';
import { ModelSchema } from './model.js';
import { TrainSchema } from './train.js';

import { TASKS } from './task.js';

export { TASKS, type Task } from './task.js';

export const ConfigSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash and underscore only')
      .describe('run name; the run goes to runs/<name> unless --out is given'),
    seed: z.number().int().min(0).default(1).describe('seed for weights, shuffling and dropout'),
    task: z.enum(TASKS).describe('what the model learns'),
    data: DataSchema.describe('where the data is and how it becomes tensors'),
    model: ModelSchema.describe('the model family (`type`) and its settings'),
    train: TrainSchema.default({}).describe('optimisation and checkpointing'),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export * from './data.js';
export * from './model.js';
export * from './baselines.js';
export * from './train.js';
