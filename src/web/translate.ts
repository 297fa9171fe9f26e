/**
 * Decoding a seq2seq export in the browser, as `seqnet predict` decodes: the source is encoded once,
 * then one decoder step per token from <bos>, carrying the states, greedy or beam search, until
 * <eos> or max_length. Beam search keeps K hypotheses, ranks extensions by log-probability (ties:
 * the earlier hypothesis, then the lower id), finishes a hypothesis at an <eos> among the K best,
 * and answers with the best logProb / length^length_penalty.
 */
import * as tf from '@tensorflow/tfjs';
import { BOS, EOS } from '../data/tokenizers/types.js';
import { SeqnetSeq2seqDecoder, SeqnetSeq2seqEncoder, type Memory } from './layers/seq2seq.js';

export interface DecodeOptions {
  strategy: 'greedy' | 'beam';
  beamSize: number;
  lengthPenalty: number;
  maxLength: number;
}

export interface Decoded {
  /** target ids, <eos> included when reached */
  ids: number[];
  logProb: number;
  /** per output token, its attention over the source tokens (models with attention) */
  attention: number[][];
}

interface Hyp extends Decoded {}

function parts(model: tf.LayersModel): { encoder: SeqnetSeq2seqEncoder; decoder: SeqnetSeq2seqDecoder } {
  const encoder = model.layers.find((l) => l.name === 'encoder');
  const decoder = model.layers.find((l) => l.name === 'decoder');
  if (!(encoder instanceof SeqnetSeq2seqEncoder) || !(decoder instanceof SeqnetSeq2seqDecoder)) throw new Error('not a seq2seq model (no encoder/decoder layers)');
  return { encoder, decoder };
}

/** one decoder step for ids [N] from `states` (disposed) → log-probs [N·V], new states, weights [N·S] */
function step(decoder: SeqnetSeq2seqDecoder, ids: number[], memory: Memory, states: tf.Tensor2D[]) {
  const r = tf.tidy(() => {
    const out = decoder.run(tf.tensor2d(Int32Array.from(ids), [ids.length, 1], 'int32'), memory, states);
    return { ...out, logp: tf.logSoftmax(out.logits.squeeze([1])) };
  });
  const res = { logp: r.logp.dataSync() as Float32Array, V: r.logits.shape[2], states: r.states, weights: r.weights?.dataSync() as Float32Array | undefined };
  tf.dispose([r.logits, r.logp, ...(r.weights ? [r.weights] : []), ...states]);
  return res;
}

/** The `k` best ids of `row` (ties: the lower id first). */
function topK(row: Float32Array, k: number): number[] {
  return Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b).slice(0, k);
}

/** source ids (at least one) → the decoded target of one source */
export function decodeOne(model: tf.LayersModel, source: number[], o: DecodeOptions): Decoded {
  const { encoder, decoder } = parts(model);
  const K = o.strategy === 'beam' ? o.beamSize : 1;
  const S = source.length;
  // K rows of the same source; only the first starts alive, so the K starts do not repeat one hypothesis
  const src = tf.tensor2d(Int32Array.from({ length: K * S }, (_, i) => source[i % S]), [K, S], 'int32');
  const enc = encoder.encode(src);
  src.dispose();
  const memory = enc.memory;
  let states = enc.states;
  let live: Hyp[] = Array.from({ length: K }, (_, k) => ({ ids: [], logProb: k === 0 ? 0 : -Infinity, attention: [] }));
  const finished: Hyp[] = [];
  let next = new Array<number>(K).fill(BOS);
  const norm = (h: Hyp) => h.logProb / Math.pow(Math.max(1, h.ids.length), o.lengthPenalty);
  try {
    for (let t = 0; t < o.maxLength; t++) {
      const s = step(decoder, next, memory, states);
      const cands: { lp: number; k: number; v: number }[] = [];
      live.forEach((h, k) => {
        if (h.logProb === -Infinity) return;
        const row = s.logp.subarray(k * s.V, (k + 1) * s.V);
        for (const v of topK(row, o.strategy === 'beam' ? 2 * K : 1)) cands.push({ lp: h.logProb + row[v], k, v });
      });
      cands.sort((x, y) => y.lp - x.lp || x.k - y.k || x.v - y.v);
      const nextLive: Hyp[] = [];
      const parents = Int32Array.from({ length: K }, (_, r) => r);
      next = new Array<number>(K).fill(EOS);
      for (let r = 0; r < cands.length && nextLive.length < K; r++) {
        const c = cands[r];
        const p = live[c.k];
        const att = s.weights ? [...p.attention, Array.from(s.weights.subarray(c.k * S, (c.k + 1) * S))] : p.attention;
        const h: Hyp = { ids: [...p.ids, c.v], logProb: c.lp, attention: att };
        if (c.v === EOS) {
          if (r < K) finished.push(h);
          continue;
        }
        parents[nextLive.length] = c.k;
        next[nextLive.length] = c.v;
        nextLive.push(h);
      }
      while (nextLive.length < K) nextLive.push({ ids: [], logProb: -Infinity, attention: [] });
      live = nextLive;
      states = tf.tidy(() => s.states.map((x) => tf.gather(x, tf.tensor1d(parents, 'int32')) as tf.Tensor2D));
      tf.dispose(s.states);
      if (finished.length >= K) break;
    }
  } finally {
    tf.dispose([...states, memory.outputs, memory.mask]);
  }
  const pool = finished.length >= K ? finished : [...finished, ...live.filter((h) => h.logProb > -Infinity)];
  let best = pool[0] ?? live[0];
  if (o.strategy === 'greedy') return best; // one hypothesis, finished or at max_length
  for (const h of pool) if (norm(h) > norm(best)) best = h;
  return best;
}
