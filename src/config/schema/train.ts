/** The `train:` section. */
import { z } from 'zod';

export const TrainSchema = z
  .object({
    epochs: z.number().int().positive().default(5).describe('passes over the training windows'),
    batch_size: z.number().int().positive().default(32).describe('examples per optimizer step'),
    optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam').describe('optimizer'),
    learning_rate: z.number().positive().default(0.002).describe('initial learning rate'),
    lr_schedule: z
      .enum(['constant', 'cosine', 'linear', 'step'])
      .default('constant')
      .describe('learning-rate schedule over the planned steps'),
    warmup_steps: z.number().int().min(0).default(0).describe('linear warm-up steps before the schedule'),
    clip_norm: z.number().positive().nullable().default(5.0).describe('clip gradients to this global norm; null = off'),
    max_steps: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('stop after this many optimizer steps, whatever the epochs'),
    patience: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('early stopping: epochs without a better validation loss before stopping; null = off'),
    eval_batch_size: z.number().int().positive().default(128).describe('batch size for validation and eval'),
    init_from: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'fine-tune: a run directory (e.g. a masked_lm pre-training run, relative to the config file) whose weights start ' +
          'the layers of the same name here, and whose tokenizer is reused so token ids match; new layers (the task ' +
          'head) start fresh, and a layer whose shape differs is an error. Ignored on --resume. null = off',
      ),
    log_every: z.number().int().positive().default(10).describe('progress update every N steps'),
    tensorboard: z
      .boolean()
      .default(false)
      .describe('write TensorBoard scalars (per logged step and per evaluation) to <run>/tb/events.out.tfevents.*; `tensorboard --logdir runs/` reads them'),
    tbptt: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe(
        'truncated backpropagation through time: training sequences longer than K steps are cut into chunks of K ' +
          '(language model: each seq_len window becomes consecutive K-token chunks, each a training example; ' +
          'forecasting: each window is trained on its last K lookback steps). The state starts afresh at each chunk, ' +
          'so gradients reach back at most K steps; validation, eval and predict still run whole sequences. null = off',
      ),
  })
  .strict();
export type TrainConfig = z.infer<typeof TrainSchema>;
