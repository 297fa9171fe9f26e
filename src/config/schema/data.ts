/** The `data:` section. Each default is written once, here, with its description. */
import { z } from 'zod';

export const TokenizerSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('char').describe('one token per character'),
      lowercase: z.boolean().default(false).describe('lowercase the text before tokenizing'),
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
      .describe('step between language-model windows; null means seq_len (no overlap)'),
  })
  .strict();
export type DataConfig = z.infer<typeof DataSchema>;
