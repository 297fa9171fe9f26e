/** The `train:` section. */
import parseDuration from 'parse-duration';
import { z } from 'zod';

/** `90s`, `10m`, `1h30m`, `2.5h`: one or more number+unit parts, nothing else (parse-duration alone accepts `10 minutes please`). */
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/;

/** Seconds in a duration the schema accepted (a number is already seconds). */
export function durationSeconds(d: string | number): number {
  return typeof d === 'number' ? d : (parseDuration(d, 's') ?? NaN);
}

const duration = z.union([
  z.number().positive(),
  z.string().refine((s) => DURATION.test(s.trim()) && durationSeconds(s.trim()) > 0, {
    message: 'expected a duration such as 90s, 10m or 1h30m (units ms, s, m, h, d; no spaces or words)',
  }),
]);

const metricMode = z
  .enum(['auto', 'min', 'max'])
  .default('auto')
  .describe('whether the metric should go down (min) or up (max); auto: max for accuracy, f1, bleu and exact_match, min otherwise');

export const EarlyStoppingSchema = z
  .object({
    metric: z.string().min(1).default('loss').describe('validation metric to watch: any the task reports (loss, accuracy, macro_f1, perplexity, mae, bleu…)'),
    mode: metricMode,
    patience: z.number().int().positive().default(3).describe('evaluations without an improvement before training stops'),
    min_delta: z.number().min(0).default(0).describe('smallest change that counts as an improvement'),
    restore_best: z
      .boolean()
      .default(true)
      .describe('final metrics (metrics.json) come from the best evaluation (the `best` checkpoint); false: from the last weights'),
  })
  .strict();

export const PlateauSchema = z
  .object({
    metric: z.string().min(1).default('loss').describe('validation metric to watch'),
    mode: metricMode,
    factor: z.number().gt(0).lt(1).default(0.5).describe('multiply the learning rate by this when the metric stops improving'),
    patience: z.number().int().min(0).default(2).describe('evaluations without an improvement before the learning rate is reduced'),
    min_delta: z.number().min(0).default(0).describe('smallest change that counts as an improvement'),
    min_lr: z.number().min(0).default(0).describe('the reduced learning rate never goes below this'),
  })
  .strict();

export const CheckpointSchema = z
  .object({
    every_steps: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('every N optimizer steps, also save a numbered checkpoint (checkpoints/step-NNNNNNN/: weights and state) and last/, so a killed run resumes from there; null = only best and last'),
    keep_last: z.number().int().positive().default(3).describe('numbered checkpoints kept; older ones are deleted'),
  })
  .strict();

export const TrainSchema = z
  .object({
    epochs: z.number().int().positive().default(5).describe('passes over the training windows'),
    batch_size: z.number().int().positive().default(32).describe('examples per batch (per optimizer step unless grad_accum_steps > 1)'),
    grad_accum_steps: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe(
        'batches whose gradients are summed per optimizer step, each weighted by its share of the targets: the update of one ' +
          'grad_accum_steps × batch_size batch in the memory of one batch; must be ≥ 1',
      ),
    optimizer: z
      .enum(['adam', 'adamw', 'sgd', 'rmsprop'])
      .default('adam')
      .describe('optimizer: adam, adamw (adam with decoupled weight decay), sgd (with optional momentum / nesterov), rmsprop'),
    learning_rate: z.number().positive().default(0.002).describe('initial learning rate'),
    beta1: z.number().min(0).lt(1).default(0.9).describe('adam / adamw: decay of the first-moment average'),
    beta2: z.number().min(0).lt(1).default(0.999).describe('adam / adamw: decay of the second-moment average'),
    epsilon: z.number().positive().default(1e-7).describe('adam / adamw / rmsprop: added to the denominator for stability'),
    momentum: z.number().min(0).lt(1).default(0).describe('sgd / rmsprop: momentum; 0 = none'),
    nesterov: z.boolean().default(false).describe('sgd: Nesterov momentum (needs momentum > 0)'),
    weight_decay: z
      .number()
      .min(0)
      .default(0.01)
      .describe('adamw: decoupled weight decay (Loshchilov & Hutter): each step w -= learning_rate × weight_decay × w; ignored by the other optimizers'),
    decay_all_params: z
      .boolean()
      .default(false)
      .describe('adamw: also decay biases and normalisation parameters (by default only weights of rank ≥ 2 decay: matrices, kernels, embeddings, as nanoGPT)'),
    lr_schedule: z
      .enum(['constant', 'cosine', 'linear', 'step'])
      .default('constant')
      .describe('learning-rate schedule over the planned steps'),
    warmup_steps: z.number().int().min(0).default(0).describe('linear warm-up steps before the schedule'),
    min_lr: z.number().min(0).default(0).describe('cosine / linear: the floor the schedule decays to'),
    gamma: z.number().gt(0).max(1).default(0.1).describe('step: multiply the learning rate by this at each step boundary'),
    step_every: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('step: a boundary every N optimizer steps after warm-up; null = at 50% and 75% of training'),
    reduce_on_plateau: PlateauSchema.nullable()
      .default(null)
      .describe('reduce the learning rate when a validation metric stops improving (as Keras ReduceLROnPlateau); multiplies the schedule; null = off'),
    clip_norm: z.number().positive().nullable().default(5.0).describe('clip gradients to this global norm; null = off'),
    divergence_factor: z
      .number()
      .gt(1)
      .nullable()
      .default(100)
      .describe(
        'divergence guard: training stops (exit code 6) when the loss is NaN or infinite, or exceeds this × max(1, the first step\'s loss); ' +
          'last/ keeps the weights from before; null = stop on NaN / infinity only',
      ),
    max_steps: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('stop after this many optimizer steps, whatever the epochs'),
    time_budget: duration
      .nullable()
      .default(null)
      .describe('stop cleanly after this much training time in this invocation (90s, 10m, 1h30m, or seconds): saves last, evaluates, status time_budget; null = no limit'),
    patience: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('early stopping: evaluations without a better validation loss before stopping (shorthand for early_stopping with metric loss); null = off'),
    early_stopping: EarlyStoppingSchema.nullable()
      .default(null)
      .describe('early stopping on any validation metric the task reports; null = off (or `patience`)'),
    eval_every_steps: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('validate every N optimizer steps (and when training stops) instead of at the end of each epoch; best, early stopping and plateau count evaluations'),
    checkpoint: CheckpointSchema.default({}).describe('numbered checkpoints beside best and last'),
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
    log_every: z.number().int().positive().default(10).describe('progress update (and a steps.csv row) every N steps'),
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
export type EarlyStoppingConfig = z.infer<typeof EarlyStoppingSchema>;
export type PlateauConfig = z.infer<typeof PlateauSchema>;

/** Cross-key checks of the `train:` section, as path + message. */
export function trainProblems(t: TrainConfig): { path: (string | number)[]; msg: string }[] {
  const out: { path: (string | number)[]; msg: string }[] = [];
  if (t.patience !== null && t.early_stopping !== null) {
    out.push({ path: ['train', 'patience'], msg: 'set either patience or early_stopping (early_stopping.patience), not both' });
  }
  if (t.nesterov && (t.optimizer !== 'sgd' || t.momentum === 0)) {
    out.push({ path: ['train', 'nesterov'], msg: 'nesterov needs optimizer: sgd with momentum > 0' });
  }
  return out;
}
