/**
 * Decoding with a seq2seq model: greedy or beam search from <bos>, stopping at <eos> or after
 * `maxLength` tokens. The source is encoded once; each step feeds one token per hypothesis and
 * carries the decoder states (no re-run of the prefix). Beam search with beam 1 equals greedy.
 */
import { tf } from '../../backend/index.js';
import { BOS, EOS } from '../../data/tokenizers/types.js';
import type { Memory } from './encoder.js';
import { seq2seqParts } from './index.js';

export interface DecodeOptions {
  strategy: 'greedy' | 'beam';
  beamSize: number;
  /** beam: finished hypotheses are ranked by logProb / length^lengthPenalty */
  lengthPenalty: number;
  /** tokens generated at most, <eos> included */
  maxLength: number;
  /** keep each output token's attention weights over the source (for the heatmap) */
  attention?: boolean;
}

export interface Decoded {
  /** target ids (no <bos>); ends with <eos> unless maxLength was reached first */
  ids: number[];
  /** natural-log probability of `ids` under the model */
  logProb: number;
  /** attention weights per output token, each over the S source positions (when asked and the model attends) */
  attention?: Float32Array[];
}

interface Hyp {
  ids: number[];
  logProb: number;
  attention: Float32Array[];
}

/** Padded source ids [B, S] int32 of `sources` (each at least one token), S = the longest. */
export function sourceBatch(sources: readonly (readonly number[])[]): tf.Tensor2D {
  const S = Math.max(1, ...sources.map((s) => s.length));
  const x = new Int32Array(sources.length * S);
  sources.forEach((s, b) => x.set(s, b * S));
  return tf.tensor2d(x, [sources.length, S], 'int32');
}

/** Decodes `sources` (token id lists) in batches of `batchSize`; one result per source, in order. */
export function decodeAll(model: tf.LayersModel, sources: readonly (readonly number[])[], o: DecodeOptions, batchSize: number): Decoded[] {
  const out: Decoded[] = [];
  for (let i = 0; i < sources.length; i += batchSize) {
    const src = sourceBatch(sources.slice(i, i + batchSize));
    out.push(...decode(model, src, o));
    src.dispose();
  }
  return out;
}

/** source ids [B, S] int32 → one decoded target per row. */
export function decode(model: tf.LayersModel, source: tf.Tensor2D, o: DecodeOptions): Decoded[] {
  const { encoder } = seq2seqParts(model);
  const { memory, states } = encoder.encode(source);
  try {
    return o.strategy === 'beam' ? beam(model, memory, states, o) : greedy(model, memory, states, o);
  } finally {
    tf.dispose([memory.outputs, memory.mask]);
  }
}

/** One decoder step for ids [N] from `states` (disposed); returns log-probs [N·V], new states, weights [N·S]. */
function step(model: tf.LayersModel, ids: number[], memory: Memory, states: tf.Tensor2D[], keepAttention: boolean) {
  const { decoder } = seq2seqParts(model);
  const input = tf.tensor2d(Int32Array.from(ids), [ids.length, 1], 'int32');
  const r = decoder.run(input, memory, states);
  const logp = tf.tidy(() => tf.logSoftmax(r.logits.squeeze([1])));
  const out = {
    logp: logp.dataSync() as Float32Array,
    V: r.logits.shape[2],
    states: r.states,
    weights: keepAttention && r.weights ? (r.weights.dataSync() as Float32Array) : undefined,
  };
  tf.dispose([input, r.logits, logp, ...(r.weights ? [r.weights] : []), ...states]);
  return out;
}

function greedy(model: tf.LayersModel, memory: Memory, initial: tf.Tensor2D[], o: DecodeOptions): Decoded[] {
  const B = memory.outputs.shape[0];
  const S = memory.outputs.shape[1];
  const hyps: Hyp[] = Array.from({ length: B }, () => ({ ids: [], logProb: 0, attention: [] }));
  const done = new Array<boolean>(B).fill(false);
  let states = initial;
  const next = new Array<number>(B).fill(BOS);
  for (let t = 0; t < o.maxLength && done.includes(false); t++) {
    const s = step(model, next, memory, states, o.attention === true);
    states = s.states;
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const row = s.logp.subarray(b * s.V, (b + 1) * s.V);
      let best = 0;
      for (let v = 1; v < s.V; v++) if (row[v] > row[best]) best = v;
      const h = hyps[b];
      h.ids.push(best);
      h.logProb += row[best];
      if (s.weights) h.attention.push(s.weights.slice(b * S, (b + 1) * S));
      next[b] = best;
      if (best === EOS) done[b] = true;
    }
  }
  tf.dispose(states);
  return hyps.map((h) => result(h, o));
}

function result(h: Hyp, o: DecodeOptions): Decoded {
  return o.attention && h.attention.length ? { ids: h.ids, logProb: h.logProb, attention: h.attention } : { ids: h.ids, logProb: h.logProb };
}

/** The `k` best ids of `row` (ties: the lower id first). */
function topK(row: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let v = 0; v < row.length; v++) {
    if (best.length === k && row[v] <= row[best[k - 1]]) continue;
    let i = best.length === k ? k - 1 : best.length;
    while (i > 0 && row[v] > row[best[i - 1]]) i--;
    best.splice(i, 0, v);
    if (best.length > k) best.pop();
  }
  return best;
}

/**
 * Beam search: K live hypotheses per source (rows b·K … b·K+K−1). Each step ranks the extensions
 * of the live ones; an <eos> among the K best finishes a hypothesis, the best K others live on.
 * A source is done once K hypotheses have finished (or at maxLength); its answer is the finished
 * (or, at maxLength, live) hypothesis with the best logProb / length^lengthPenalty.
 */
function beam(model: tf.LayersModel, memory: Memory, initial: tf.Tensor2D[], o: DecodeOptions): Decoded[] {
  const K = o.beamSize;
  const [B, S] = memory.outputs.shape;
  const tile = tf.tensor1d(Int32Array.from({ length: B * K }, (_, r) => Math.floor(r / K)), 'int32');
  const mem: Memory = { outputs: tf.gather(memory.outputs, tile), mask: tf.gather(memory.mask, tile) };
  let states = initial.map((s) => tf.gather(s, tile) as tf.Tensor2D);
  tf.dispose([tile, ...initial]);
  const norm = (h: Hyp) => h.logProb / Math.pow(Math.max(1, h.ids.length), o.lengthPenalty);
  // only the first row of each beam starts alive, so the K starts do not repeat one hypothesis
  const live: Hyp[][] = Array.from({ length: B }, () =>
    Array.from({ length: K }, (_, k) => ({ ids: [], logProb: k === 0 ? 0 : -Infinity, attention: [] })),
  );
  const finished: Hyp[][] = Array.from({ length: B }, () => []);
  const done = new Array<boolean>(B).fill(false);
  let next = new Array<number>(B * K).fill(BOS);
  for (let t = 0; t < o.maxLength && done.includes(false); t++) {
    const s = step(model, next, mem, states, o.attention === true);
    const parents = Int32Array.from({ length: B * K }, (_, r) => r);
    next = new Array<number>(B * K).fill(EOS);
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const cands: { lp: number; k: number; v: number }[] = [];
      live[b].forEach((h, k) => {
        if (h.logProb === -Infinity) return;
        const row = s.logp.subarray((b * K + k) * s.V, (b * K + k + 1) * s.V);
        for (const v of topK(row, 2 * K)) cands.push({ lp: h.logProb + row[v], k, v });
      });
      cands.sort((x, y) => y.lp - x.lp || x.k - y.k || x.v - y.v);
      const nextLive: Hyp[] = [];
      for (let r = 0; r < cands.length && nextLive.length < K; r++) {
        const c = cands[r];
        const p = live[b][c.k];
        const att = s.weights ? [...p.attention, s.weights.slice((b * K + c.k) * S, (b * K + c.k + 1) * S)] : p.attention;
        const h: Hyp = { ids: [...p.ids, c.v], logProb: c.lp, attention: att };
        if (c.v === EOS) {
          if (r < K) finished[b].push(h);
          continue;
        }
        parents[b * K + nextLive.length] = b * K + c.k;
        next[b * K + nextLive.length] = c.v;
        nextLive.push(h);
      }
      while (nextLive.length < K) nextLive.push({ ids: [], logProb: -Infinity, attention: [] });
      live[b] = nextLive;
      if (finished[b].length >= K) done[b] = true;
    }
    const idx = tf.tensor1d(parents, 'int32');
    const reordered = s.states.map((x) => tf.gather(x, idx) as tf.Tensor2D);
    tf.dispose([idx, ...s.states]);
    states = reordered;
  }
  tf.dispose([...states, mem.outputs, mem.mask]);
  return live.map((l, b) => {
    const pool = [...finished[b], ...(done[b] ? [] : l.filter((h) => h.logProb > -Infinity))];
    let best = pool[0] ?? l[0];
    for (const h of pool) if (norm(h) > norm(best)) best = h;
    return result(best, o);
  });
}
