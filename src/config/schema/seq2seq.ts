/**
 * `model.type: seq2seq` — a recurrent encoder–decoder with attention (Luong et al. 2015 layout:
 * the decoder RNN runs first, then attends over the encoder outputs). Every default is written here.
 */
import { z } from 'zod';

export const ATTENTION_SCORES = ['none', 'dot', 'general', 'additive', 'scaled_dot', 'cosine', 'location'] as const;
export type AttentionScore = (typeof ATTENTION_SCORES)[number];

export const Seq2seqSchema = z
  .object({
    type: z.literal('seq2seq').describe('recurrent encoder–decoder with attention, trained with teacher forcing'),
    encoder: z.enum(['lstm', 'gru']).default('lstm').describe('recurrent cell of the encoder and of the decoder'),
    bidirectional: z
      .boolean()
      .default(true)
      .describe('read the source forwards and backwards (concatenated); the decoder is then 2·units wide so it starts from both final states'),
    units: z.number().int().positive().default(128).describe('hidden units per encoder layer and direction'),
    layers: z.number().int().positive().default(1).describe('stacked layers in the encoder and in the decoder (decoder layer i starts from encoder layer i)'),
    embedding_dim: z.number().int().positive().default(64).describe('size of the source and of the target token embeddings'),
    attention: z
      .enum(ATTENTION_SCORES)
      .default('additive')
      .describe(
        'score of decoder state h against encoder output e: dot hᵀe and general hᵀWe (Luong), additive vᵀtanh(W₁h + W₂e) ' +
          '(Bahdanau), scaled_dot hᵀe/√d (Vaswani), cosine β·cos(Wh, e) with a learnt sharpness β ≥ 1 (Graves, NTM content ' +
          'addressing), location softmax(W h) over source positions (Luong; needs no content); none = no attention',
      ),
    dropout: z.number().min(0).max(0.95).default(0).describe('dropout on the embeddings, between stacked layers and on the attentional state'),
    teacher_forcing: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        'fraction of decoder inputs that are the true previous token while training; below 1 the rest are the ' +
          "model's own predictions from a first pass (parallel scheduled sampling, Duckworth et al. 2019)",
      ),
    decoding: z.enum(['greedy', 'beam']).default('greedy').describe('how eval and predict produce a target: most likely token each step, or beam search'),
    beam_size: z.number().int().positive().default(4).describe('hypotheses kept per step when decoding: beam'),
    length_penalty: z
      .number()
      .min(0)
      .default(1)
      .describe('beam search ranks finished hypotheses by log p / length^length_penalty (0 = raw log p, which favours short outputs)'),
    max_length: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('target tokens (including <eos>) trained on and decoded at most; null = the longest training target + 1'),
  })
  .strict();
export type Seq2seqConfig = z.infer<typeof Seq2seqSchema>;
