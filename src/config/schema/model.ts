/**
 * The `model:` section: one strict object per family, discriminated by `type`.
 * models/registry.ts maps every `type` here to its factory (a missing one is a compile error).
 */
import { z } from 'zod';
import type { DataConfig } from './data.js';
import type { Task } from './task.js';
import { Seq2seqSchema } from './seq2seq.js';
import { BASELINE_SCHEMAS, baselineProblems } from './baselines.js';

export const EmbeddingsSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .describe('word vectors in the common whitespace text format: one word then its floats per line (an optional "count dim" header line is skipped); relative to the config file'),
    trainable: z.boolean().default(true).describe('fine-tune the pretrained vectors with the rest of the model (true) or keep them fixed (false)'),
  })
  .strict();
export type EmbeddingsConfig = z.infer<typeof EmbeddingsSchema>;

const embeddings = EmbeddingsSchema.nullable()
  .default(null)
  .describe('pretrained vectors for the token embedding (their dimension must equal embedding_dim); vocabulary words missing from the file start random; null = all random');

const embeddingInit = z
  .enum(['auto', 'uniform', 'normal', 'small_normal'])
  .default('auto')
  .describe(
    'initial token-embedding values (new training only; a saved run keeps its weights): uniform = U(−0.05, 0.05) ' +
      "(Keras), normal = N(0, 1) (PyTorch's nn.Embedding), small_normal = N(0, 0.02) (GPT-2); auto = normal for " +
      'recurrent language models, small_normal for the transformer, uniform otherwise (chosen by bench/parity.mjs)',
  );

const weightInit = z
  .enum(['auto', 'keras', 'pytorch'])
  .default('auto')
  .describe(
    'initial weights of the recurrent/convolution and dense layers (new training only): keras = Glorot-uniform input ' +
      'kernels, orthogonal recurrent kernels, zero biases with LSTM forget bias 1, He-uniform convolutions; ' +
      "pytorch = PyTorch's defaults, every weight and bias U(±1/√fan_in) (fan_in = units for recurrent layers); " +
      'auto = keras (chosen by bench/parity.mjs)',
  );

const recurrent = <T extends 'rnn' | 'lstm' | 'gru'>(type: T, what: string) =>
  z
    .object({
      type: z.literal(type).describe(what),
      embedding_dim: z.number().int().positive().default(64).describe('size of the token embedding'),
      embeddings,
      embedding_init: embeddingInit,
      init: weightInit,
      units: z.number().int().positive().default(256).describe('hidden units per recurrent layer (per direction when bidirectional)'),
      layers: z.number().int().positive().default(2).describe('stacked recurrent layers, each reading the whole output sequence of the one below'),
      bidirectional: z
        .boolean()
        .default(false)
        .describe('run every layer forwards and backwards and merge the two; refused for language_model (the backward pass would see the future)'),
      merge: z
        .enum(['concat', 'sum', 'mul', 'ave'])
        .default('concat')
        .describe('how a bidirectional layer combines its two directions: concat (width 2·units) or elementwise sum | mul | ave (width units)'),
      dropout: z.number().min(0).max(0.95).default(0).describe('dropout between layers and before the head'),
      recurrent_dropout: z
        .number()
        .min(0)
        .max(0.95)
        .default(0)
        .describe(
          'dropout on the recurrent state h inside each layer, one mask per sequence (Gal & Ghahramani). The fused ' +
            'kernels take no recurrent mask, so when > 0 training runs the per-timestep reference path (several times ' +
            'slower); inference is unchanged',
        ),
      norm: z
        .enum(['none', 'layer', 'batch'])
        .default('none')
        .describe("normalisation of each recurrent layer's output sequence before the next layer or the head (batch statistics include padded steps)"),
    })
    .strict();

export const RnnSchema = recurrent('rnn', 'Elman recurrent network');
export const LstmSchema = recurrent('lstm', 'long short-term memory network');
export const GruSchema = recurrent('gru', 'gated recurrent unit network');

export const TextCnnSchema = z
  .object({
    type: z.literal('textcnn').describe('parallel 1-D convolutions over the embedded sequence, globally pooled (Kim 2014)'),
    embedding_dim: z.number().int().positive().default(64).describe('size of the token embedding'),
    embeddings,
    embedding_init: embeddingInit,
    init: weightInit,
    filters: z.number().int().positive().default(64).describe('feature maps per kernel size'),
    kernel_sizes: z.array(z.number().int().positive()).min(1).default([3, 4, 5]).describe('one convolution per width, run side by side'),
    pool: z.enum(['max', 'avg']).default('max').describe('global pooling over time of each feature map (padding excluded)'),
    stride: z.number().int().positive().default(1).describe('step of the convolutions along the sequence (tagging needs 1)'),
    padding: z
      .enum(['valid', 'same'])
      .default('same')
      .describe('same keeps one output per token (needed for tagging); valid only places kernels fully inside the sequence'),
    dropout: z.number().min(0).max(0.95).default(0.5).describe('dropout on the pooled features and after each hidden layer'),
    hidden: z.array(z.number().int().positive()).default([]).describe('sizes of the dense ReLU layers between the pooled features and the head'),
  })
  .strict();

export const TransformerSchema = z
  .object({
    type: z.literal('transformer').describe('pre-norm transformer: multi-head self-attention and feed-forward blocks'),
    d_model: z.number().int().positive().default(64).describe('width of the token representations (the embedding size)'),
    embedding_init: embeddingInit,
    heads: z.number().int().positive().default(4).describe('attention heads; must divide d_model'),
    layers: z.number().int().positive().default(2).describe('transformer blocks'),
    ff_dim: z.number().int().positive().nullable().default(null).describe('hidden width of the feed-forward sublayer; null = 4 × d_model'),
    dropout: z.number().min(0).max(0.95).default(0.1).describe('dropout on attention weights, sublayer outputs and embeddings'),
    positional: z
      .enum(['learned', 'sinusoidal'])
      .default('learned')
      .describe('position information added to the embeddings: a trained table or fixed sinusoids (Vaswani et al.)'),
    pooling: z
      .enum(['cls', 'mean'])
      .default('mean')
      .describe('classification/forecasting: summarise the sequence by a prepended [CLS] position or by the mean over real tokens'),
  })
  .strict();

export const ModelSchema = z.discriminatedUnion('type', [RnnSchema, LstmSchema, GruSchema, TextCnnSchema, TransformerSchema, Seq2seqSchema, ...BASELINE_SCHEMAS]);
export type ModelConfig = z.infer<typeof ModelSchema>;
export type ModelType = ModelConfig['type'];
export type RecurrentConfig = z.infer<typeof LstmSchema> | z.infer<typeof GruSchema> | z.infer<typeof RnnSchema>;
export type TextCnnConfig = z.infer<typeof TextCnnSchema>;
export type TransformerConfig = z.infer<typeof TransformerSchema>;

/** A cross-field problem with a family's settings, at `path` in the config. */
export interface ModelProblem {
  path: (string | number)[];
  msg: string;
}

/** Family settings that cannot work with the task or the data (the schema alone cannot say). */
export function modelProblems(model: ModelConfig, task: Task, data: DataConfig): ModelProblem[] {
  const out: ModelProblem[] = [];
  const at = (key: string, msg: string) => out.push({ path: ['model', key], msg });
  if ('embeddings' in model && model.embeddings && task === 'forecasting') {
    at('embeddings', 'pretrained embeddings need token input; task `forecasting` reads numeric features (remove model.embeddings)');
  }
  switch (model.type) {
    case 'rnn':
    case 'lstm':
    case 'gru':
      if (model.bidirectional && task === 'language_model') {
        at(
          'bidirectional',
          `a bidirectional \`${model.type}\` cannot do task \`language_model\`: its backward pass would read the very tokens it must predict. Set model.bidirectional: false`,
        );
      }
      break;
    case 'textcnn': {
      if (task === 'tagging' && (model.padding !== 'same' || model.stride !== 1)) {
        at('padding', 'textcnn tagging needs one output per token: set model.padding: same and model.stride: 1');
      }
      const len = task === 'forecasting' ? data.lookback : data.seq_len;
      const widest = Math.max(...model.kernel_sizes);
      if (model.padding === 'valid' && widest > len) {
        const key = task === 'forecasting' ? 'data.lookback' : 'data.seq_len';
        at('kernel_sizes', `kernel size ${widest} is wider than the sequence (${key} = ${len}) with padding valid; use padding: same or smaller kernels`);
      }
      break;
    }
    case 'transformer':
      if (model.d_model % model.heads !== 0) {
        at('heads', `heads (${model.heads}) must divide d_model (${model.d_model}) so every head gets d_model / heads dimensions`);
      }
      break;
  }
  out.push(...baselineProblems(model, task, data));
  return out;
}
