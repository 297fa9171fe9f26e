/**
 * The `model:` section: one strict object per family, discriminated by `type`.
 * models/registry.ts maps every `type` here to its factory (a missing one is a compile error).
 */
import { z } from 'zod';

const recurrent = <T extends 'rnn' | 'lstm' | 'gru'>(type: T, what: string) =>
  z
    .object({
      type: z.literal(type).describe(what),
      embedding_dim: z.number().int().positive().default(64).describe('size of the token embedding'),
      units: z.number().int().positive().default(256).describe('hidden units per recurrent layer'),
      layers: z.number().int().positive().default(2).describe('stacked recurrent layers'),
      dropout: z.number().min(0).max(0.95).default(0).describe('dropout between layers and before the head'),
    })
    .strict();

export const RnnSchema = recurrent('rnn', 'Elman recurrent network');
export const LstmSchema = recurrent('lstm', 'long short-term memory network');
export const GruSchema = recurrent('gru', 'gated recurrent unit network');

export const ModelSchema = z.discriminatedUnion('type', [RnnSchema, LstmSchema, GruSchema]);
export type ModelConfig = z.infer<typeof ModelSchema>;
export type ModelType = ModelConfig['type'];
export type RecurrentConfig = z.infer<typeof LstmSchema> | z.infer<typeof GruSchema> | z.infer<typeof RnnSchema>;
