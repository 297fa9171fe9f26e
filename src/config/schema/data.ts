/** The `data:` section. Each default is written once, here, with its description. */
import { z } from 'zod';

export const TokenizerSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('char').describe('one token per character'),
      lowercase: z.boolean().default(false).describe('lowercase the text before tokenizing'),
    })
    .strict(),
  z
    .object({
      type: z.literal('word').describe('one token per word or punctuation mark (split on spaces and punctuation)'),
      lowercase: z.boolean().default(true).describe('lowercase the text before tokenizing'),
      min_freq: z.number().int().positive().default(1).describe('words seen fewer times than this in the training split become <unk>'),
      vocab_size: z
        .number()
        .int()
        .min(5)
        .nullable()
        .default(null)
        .describe('keep at most this many ids (specials included), the most frequent words first; null = no limit'),
    })
    .strict(),
  z
    .object({
      type: z
        .literal('bpe')
        .describe('byte-level byte-pair encoding learnt on the training split; decodes back to the exact text'),
      vocab_size: z
        .number()
        .int()
        .min(260)
        .default(1000)
        .describe('ids in total: 4 specials + 256 bytes + learnt merges (fewer merges when the corpus runs out of pairs)'),
    })
    .strict(),
]);
export type TokenizerConfig = z.infer<typeof TokenizerSchema>;

const SplitSpec = z
  .union([z.number().min(0).max(0.9), z.string().min(1)])
  .describe('a fraction carved from train, or a path');

export const DataSchema = z
  .object({
    train: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('training file, or a list of files (relative to the config file)'),
    valid: SplitSpec.default(0.1),
    test: SplitSpec.default(0.1),
    format: z
      .enum(['text', 'csv', 'tsv', 'jsonl', 'conll'])
      .nullable()
      .default(null)
      .describe('input format; inferred from the file extension when null'),
    tokenizer: TokenizerSchema.default({ type: 'char' }).describe('how text becomes token ids'),
    seq_len: z.number().int().positive().default(64).describe('tokens per training window / padded sequence length'),
    stride: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('step between windows; null means seq_len for language models (no overlap) and 1 for forecasting'),
    documents: z
      .enum(['lines', 'blank_lines', 'none'])
      .default('none')
      .describe(
        'language model on text: each line (lines) or each blank-line-separated paragraph (blank_lines) is a document, ' +
          'fed as <bos> document <eos> so generation can stop; none = one running text',
      ),
    text_column: z.string().min(1).nullable().default(null).describe('classification: the column holding the text (csv/tsv/jsonl)'),
    label_column: z.string().min(1).nullable().default(null).describe('classification: the column holding the label'),
    source_column: z.string().min(1).nullable().default(null).describe('seq2seq: the column holding the source text'),
    target_column: z.string().min(1).nullable().default(null).describe('seq2seq: the column holding the target text'),
    shuffle: z
      .boolean()
      .default(true)
      .describe('classification/tagging/seq2seq: shuffle the examples (seeded) before carving valid/test fractions; forecasting and language models always split in order'),
    truncate: z
      .enum(['pre', 'post'])
      .default('post')
      .describe('sequences longer than seq_len lose their start (pre) or their end (post); shorter ones are padded at the end with <pad>'),
    features: z
      .array(z.string().min(1))
      .min(1)
      .nullable()
      .default(null)
      .describe('forecasting: input columns; null = every column except date_column'),
    targets: z
      .array(z.string().min(1))
      .min(1)
      .nullable()
      .default(null)
      .describe('forecasting: columns to predict; null = the features'),
    date_column: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('forecasting: a date/time column (rows must be in time order); used to date predictions'),
    lookback: z.number().int().positive().default(24).describe('forecasting: past steps each window sees'),
    horizon: z.number().int().positive().default(1).describe('forecasting: future steps each window predicts'),
    scaler: z
      .enum(['standard', 'minmax', 'none'])
      .default('standard')
      .describe('forecasting: per-column scaling fitted on the training part only; metrics are reported in original units'),
    missing: z
      .enum(['error', 'drop', 'ffill'])
      .default('error')
      .describe('forecasting: rows with empty or non-numeric values stop the run (error), are removed (drop), or take the previous value (ffill)'),
  })
  .strict();
export type DataConfig = z.infer<typeof DataSchema>;
