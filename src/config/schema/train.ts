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
    tbptt: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe(
        'truncated backpropagation through time. Language model (rnn | lstm | gru): the training text is laid out as ' +
          'batch_size contiguous streams, read in consecutive K-token chunks in order; each recurrent layer starts a ' +
          "chunk from the state it ended the stream's previous chunk with, detached, so gradients stop at the chunk " +
          'boundary. The state resets at the start of each epoch and, with data.documents, where a document starts ' +
          '(each document begins a chunk, its last chunk padded); a resumed run restores it. An epoch then covers the ' +
          'text once whatever data.seq_len and data.stride say. Forecasting: each window is trained on its last K ' +
          'lookback steps only, from a zero state. Validation, eval and predict still run whole windows ' +
          '(`seqnet eval --stateful` scores a language model as one stream). null = off'
      ),
  })
  .strict();
export type TrainConfig = z.infer<typeof TrainSchema>;
