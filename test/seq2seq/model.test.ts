/**
 * The seq2seq family: output shapes, attention weights (every score function), save → load →
 * identical outputs, and beam search with beam 1 against greedy decoding.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { ATTENTION_SCORES, Seq2seqSchema, type AttentionScore } from '../../src/config/schema/seq2seq.js';
import { EOS } from '../../src/data/tokenizers/types.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/models/io.js';
import { decode } from '../../src/models/seq2seq/decode.js';
import { SeqnetSeq2seqAttention } from '../../src/models/seq2seq/attention.js';
import { seq2seqFamily, seq2seqParts } from '../../src/models/seq2seq/index.js';
import { tmpDir } from '../helpers/tmp.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const info = { seqLen: 6, vocabSize: 11, targetVocabSize: 9, targetSeqLen: 5 };
const build = (over: Record<string, unknown> = {}) =>
  seq2seqFamily.build(Seq2seqSchema.parse({ type: 'seq2seq', units: 6, embedding_dim: 5, ...over }), { task: 'seq2seq', info, seed: 7 });

/** two sources (the second padded), decoder inputs <bos> + 3 tokens */
const src = () => tf.tensor2d([[4, 5, 6, 7, 8, 9], [4, 6, 8, 0, 0, 0]], [2, 6], 'int32');
const dec = () => tf.tensor2d([[2, 4, 5, 6], [2, 7, 8, 0]], [2, 4], 'int32');

/** log p(ids | source row b) by teacher forcing: decoder inputs are <bos> + ids[:-1] */
function rescore(m: tf.LayersModel, s: tf.Tensor2D, b: number, ids: number[]): number {
  return tf.tidy(() => {
    const row = s.slice([b, 0], [1, -1]);
    const d = tf.tensor2d([[2, ...ids.slice(0, -1)]], [1, ids.length], 'int32');
    const logp = tf.logSoftmax(m.apply([row, d]) as tf.Tensor).arraySync() as number[][][];
    return ids.reduce((acc, id, t) => acc + logp[0][t][id], 0);
  });
}

describe('seq2seq model', () => {
  it.each([
    ['lstm', true, 1, 'additive'],
    ['gru', false, 2, 'general'],
    ['lstm', false, 2, 'none'],
  ] as const)('%s bidirectional=%s layers=%s attention=%s: [B,S] + [B,T] → logits [B,T,V]', (encoder, bidirectional, layers, attention) => {
    const m = build({ encoder, bidirectional, layers, attention });
    const [s, d] = [src(), dec()];
    const y = m.apply([s, d]) as tf.Tensor;
    expect(y.shape).toEqual([2, 4, info.targetVocabSize]);
    const { encoder: enc } = seq2seqParts(m);
    expect(enc.width).toBe(bidirectional ? 12 : 6);
    tf.dispose([y, s, d]);
    m.dispose();
  });

  it('every weight, sub-layers included, is listed, trained and counted by formula', () => {
    // lstm, bidirectional, 1 layer, units 6 → decoder width H = 12; E = 5; V_src 11, V_tgt 9; additive attention
    const m = build({ attention: 'additive', teacher_forcing: 0.5 });
    const lstm = (d: number, u: number) => 4 * (d * u + u * u + u);
    const encoder = 11 * 5 + 2 * lstm(5, 6);
    const attention = 2 * 12 * 12 + 12 + 12; // W_q, W_k, b, v
    const decoder = 9 * 5 + lstm(5, 12) + attention + 2 * 12 * 12 + 12 + 12 * 9 + 9; // + combine, output
    expect(m.countParams()).toBe(encoder + decoder);
    const names = m.trainableWeights.map((w) => w.originalName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('encoder/lstm_1_backward/recurrent_kernel');
    expect(names).toContain('decoder/attention_additive/v');
    const [s, d] = [src(), dec()];
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => (m.apply([s, d], { training: true }) as tf.Tensor).square().mean() as tf.Scalar, vars);
    for (const w of vars) expect(grads[w.name].abs().max().dataSync()[0], w.name).toBeGreaterThan(0);
    tf.dispose([s, d, value, ...Object.values(grads)]);
    m.dispose();
  });

  it('padding after a source does not change its outputs (masked encoder and attention)', () => {
    const m = build({ attention: 'additive' });
    const short = tf.tensor2d([[4, 6, 8]], [1, 3], 'int32');
    const long = tf.tensor2d([[4, 6, 8, 0, 0, 0]], [1, 6], 'int32');
    const d = tf.tensor2d([[2, 7, 8]], [1, 3], 'int32');
    const a = m.apply([short, d]) as tf.Tensor;
    const b = m.apply([long, d]) as tf.Tensor;
    const [av, bv] = [a.dataSync(), b.dataSync()];
    av.forEach((v, i) => expect(bv[i]).toBeCloseTo(v, 5));
    tf.dispose([short, long, d, a, b]);
    m.dispose();
  });

  const scores = ATTENTION_SCORES.filter((s): s is Exclude<AttentionScore, 'none'> => s !== 'none');
  it.each(scores)('%s attention: weights sum to one over the real source positions, zero on padding', (score) => {
    const att = new SeqnetSeq2seqAttention({ score, units: 4, sourceLength: 5, seed: 3 });
    const q = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const k = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]]);
    const [ctx, w] = att.apply([q, k, mask]) as tf.Tensor[];
    expect(ctx.shape).toEqual([2, 3, 4]);
    const wa = w.arraySync() as number[][][];
    for (const [b, real] of [[0, 5], [1, 2]] as const) {
      for (const row of wa[b]) {
        expect(row.slice(0, real).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
        for (const p of row.slice(real)) expect(p).toBe(0);
      }
    }
    tf.dispose([q, k, mask, ctx, w]);
    att.dispose();
  });

  it('save → load gives identical outputs and decodes', async () => {
    const m = build({ attention: 'cosine', teacher_forcing: 0.5, dropout: 0.1 });
    const dir = path.join(tmpDir(), 'ckpt');
    await saveCheckpoint(m, dir);
    const m2 = await loadCheckpoint(dir);
    const [s, d] = [src(), dec()];
    const a = m.apply([s, d]) as tf.Tensor;
    const b = m2.apply([s, d]) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const o = { strategy: 'greedy', beamSize: 1, lengthPenalty: 1, maxLength: 5 } as const;
    expect(decode(m2, s, o)).toEqual(decode(m, s, o));
    tf.dispose([s, d, a, b]);
    m.dispose();
    m2.dispose();
  });

  it.each(['additive', 'none', 'location'] as const)('beam search with beam 1 equals greedy (%s)', (attention) => {
    const m = build({ attention, encoder: 'gru' });
    const s = src();
    const greedy = decode(m, s, { strategy: 'greedy', beamSize: 1, lengthPenalty: 1, maxLength: 7, attention: true });
    const beam1 = decode(m, s, { strategy: 'beam', beamSize: 1, lengthPenalty: 1, maxLength: 7, attention: true });
    expect(beam1.map((r) => r.ids)).toEqual(greedy.map((r) => r.ids));
    beam1.forEach((r, i) => expect(r.logProb).toBeCloseTo(greedy[i].logProb, 5));
    for (const r of greedy) {
      expect(r.ids.length).toBeLessThanOrEqual(7);
      expect(r.ids.indexOf(EOS) === -1 || r.ids.indexOf(EOS) === r.ids.length - 1).toBe(true);
    }
    if (attention !== 'none') expect(greedy[0].attention!.length).toBe(greedy[0].ids.length);
    // beam 4 reorders states between hypotheses: its log-probs must match a teacher-forced re-scoring
    const wide = decode(m, s, { strategy: 'beam', beamSize: 4, lengthPenalty: 0.6, maxLength: 7 });
    wide.forEach((r, i) => expect(rescore(m, s, i, r.ids)).toBeCloseTo(r.logProb, 4));
    s.dispose();
    m.dispose();
  });

  it('decoding owns its tensors', () => {
    const m = build({ attention: 'general' });
    const s = src();
    decode(m, s, { strategy: 'beam', beamSize: 3, lengthPenalty: 1, maxLength: 4 });
    const before = tf.memory().numTensors;
    decode(m, s, { strategy: 'beam', beamSize: 3, lengthPenalty: 1, maxLength: 4 });
    decode(m, s, { strategy: 'greedy', beamSize: 1, lengthPenalty: 1, maxLength: 4 });
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
    m.dispose();
  });
});
