/**
 * One new position of each batch row through a pre-norm transformer block at inference, against
 * the block's key/value cache (what a cached generator calls per token and block):
 *   qkv = LN₁(x)·Wqkv + b;  k, v appended to the cache at position p;
 *   x  += concat_h softmax(q_h·K_hᵀ/√dh) V_h · Wo + bo   (positions 0…p: causal by construction)
 *   x  += GELU(LN₂(x)·W₁ + b₁)·W₂ + b₂
 * In 'fast' mode all of it runs in wasm memory on the block's weights packed once (the runtime's
 * weight cache), with no tensor and no gradient node per step; otherwise from the plain ops
 * (layerNorm, dense), the reference the tests compare it with. Dropout is off (inference).
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';
import * as wasm from '../wasm/index.js';
import { dense } from './dense.js';
import { layerNorm } from './layer_norm.js';
import { BLOCK_WEIGHTS } from './transformer_block.js';
import { cachedBlockWeights } from './transformer_rows.js';
import { tidyValues } from './values.js';

/** A block's weights by the names SeqnetTransformerBlock gives them. */
export interface DecodeWeights {
  norm_1_gamma: tf.Tensor; norm_1_beta: tf.Tensor;
  qkv_kernel: tf.Tensor; qkv_bias: tf.Tensor;
  out_kernel: tf.Tensor; out_bias: tf.Tensor;
  norm_2_gamma: tf.Tensor; norm_2_beta: tf.Tensor;
  ff_1_kernel: tf.Tensor; ff_1_bias: tf.Tensor;
  ff_2_kernel: tf.Tensor; ff_2_bias: tf.Tensor;
}

/**
 * keys and values of the positions seen so far, [maxLen, D] each (one batch row of one block); on
 * the fast path they live in wasm memory (pk, pv: their byte pointers), where the attention kernel
 * reads them in place
 */
export interface RowCache {
  k: Float32Array;
  v: Float32Array;
  pk?: number;
  pv?: number;
}

/** An empty cache row for maxLen positions of width D; give it back with releaseRowCache. */
export function newRowCache(maxLen: number, D: number): RowCache {
  if (!runtime().fast) return { k: new Float32Array(maxLen * D), v: new Float32Array(maxLen * D) };
  const pk = wasm.pin(maxLen * D), pv = wasm.pin(maxLen * D);
  // views stay valid when the memory grows: it is shared, so its buffer is never detached
  const buf = wasm.heap().buffer;
  const k = new Float32Array(buf, pk, maxLen * D).fill(0), v = new Float32Array(buf, pv, maxLen * D).fill(0);
  return { k, v, pk, pv };
}

/** Frees a cache row's wasm memory (nothing to do for one in JS memory). */
export function releaseRowCache(c: RowCache): void {
  if (c.pk !== undefined) wasm.unpin(c.pk);
  if (c.pv !== undefined) wasm.unpin(c.pv);
  c.pk = c.pv = undefined;
}

export interface DecodeConfig {
  heads: number;
  epsilon: number;
}

/**
 * Attention of one query at position p over the cache (positions 0…p), head by head:
 * ctx [D] = concat_h softmax(q_h·K_hᵀ/√dh) V_h, with q [D] and K, V [maxLen, D]; scores: scratch
 * of at least p + 1 floats. A few thousand multiply-adds: cheaper here than any hand-off.
 */
function attendRow(q: Float32Array, cache: RowCache, p: number, H: number, scores: Float32Array, ctx: Float32Array): void {
  const D = q.length;
  const dh = D / H;
  const scale = 1 / Math.sqrt(dh);
  const { k, v } = cache;
  ctx.fill(0);
  for (let h = 0; h < H; h++) {
    const o = h * dh;
    let max = -Infinity;
    for (let t = 0; t <= p; t++) {
      let dot = 0;
      const r = t * D + o;
      for (let d = 0; d < dh; d++) dot += q[o + d] * k[r + d];
      scores[t] = dot * scale;
      if (scores[t] > max) max = scores[t];
    }
    let sum = 0;
    for (let t = 0; t <= p; t++) sum += scores[t] = Math.exp(scores[t] - max);
    for (let t = 0; t <= p; t++) {
      const a = scores[t] / sum;
      const r = t * D + o;
      for (let d = 0; d < dh; d++) ctx[o + d] += a * v[r + d];
    }
  }
}

/** q | k | v [B, 3D] → the caches get k and v at position p; ctx [B, D] gets the attention. */
function attendAll(qkv: Float32Array, caches: RowCache[], p: number, H: number, scores: Float32Array, ctx: Float32Array): void {
  const D = ctx.length / caches.length;
  caches.forEach((c, b) => {
    const row = qkv.subarray(b * 3 * D, (b + 1) * 3 * D);
    c.k.set(row.subarray(D, 2 * D), p * D);
    c.v.set(row.subarray(2 * D), p * D);
    attendRow(row.subarray(0, D), c, p, H, scores, ctx.subarray(b * D, (b + 1) * D));
  });
}

/**
 * The blocks one after another on x at byte pointer px [B, D], in place, in wasm memory: one
 * kernel call per block (decodeBlockRows, wasm/decode_loop.ts) on its packed weights (ks) and its
 * caches (in wasm memory), from a block of i32 arguments laid out as the kernel reads them.
 */
function fastDecode(blocks: DecodeStep[], ks: number[][], px: number, B: number, D: number, p: number): void {
  const F = Math.max(...blocks.map((bl) => bl.w.ff_1_kernel.shape[1]!));
  const pn = wasm.alloc(B * D), mean = wasm.alloc(B), rstd = wasm.alloc(B), ps = wasm.alloc(p + 1);
  const pq = wasm.alloc(B * 3 * D), pc = wasm.alloc(B * D), pa = wasm.alloc(B * D), pf = wasm.alloc(B * F);
  const ws = wasm.alloc(wasm.decodeKernels().workspaceBytes() / 4);
  const prm = wasm.alloc(27 + 2 * B);
  const slots = new Int32Array(wasm.heap().buffer, prm, 27 + 2 * B);
  blocks.forEach(({ w, cfg, caches }, i) => {
    slots.set([B, D, w.ff_1_kernel.shape[1]!, cfg.heads, p, 0, px, pn, mean, rstd, pq, pc, pa, pf, ps,
      ...ks[i], ...caches.flatMap((c) => [c.pk!, c.pv!])]);
    new Float32Array(slots.buffer, prm + 5 * 4, 1)[0] = cfg.epsilon;
    wasm.decodeKernels().decodeBlockRows(prm, ws);
  });
}

function referenceDecode(w: DecodeWeights, cfg: DecodeConfig, x: Float32Array, caches: RowCache[], p: number, scores: Float32Array): Float32Array {
  const B = caches.length, D = x.length / B;
  return tidyValues(() => {
    let h: tf.Tensor = tf.tensor2d(x, [B, D]);
    const norm1 = layerNorm(h, w.norm_1_gamma, w.norm_1_beta, cfg.epsilon);
    const qkv = dense(norm1, w.qkv_kernel as tf.Tensor2D, w.qkv_bias as tf.Tensor1D, 'linear').dataSync() as Float32Array;
    const ctx = new Float32Array(B * D);
    attendAll(qkv, caches, p, cfg.heads, scores, ctx);
    h = h.add(dense(tf.tensor2d(ctx, [B, D]), w.out_kernel as tf.Tensor2D, w.out_bias as tf.Tensor1D, 'linear'));
    const f = dense(layerNorm(h, w.norm_2_gamma, w.norm_2_beta, cfg.epsilon), w.ff_1_kernel as tf.Tensor2D, w.ff_1_bias as tf.Tensor1D, 'gelu');
    return [h.add(dense(f, w.ff_2_kernel as tf.Tensor2D, w.ff_2_bias as tf.Tensor1D, 'linear'))];
  })[0];
}

/** One block's part in a decoding step: its weights, configuration and caches (one per batch row). */
export interface DecodeStep {
  w: DecodeWeights;
  cfg: DecodeConfig;
  caches: RowCache[];
}

/**
 * x [B, D] (one new position per batch row, at position p) through the blocks one after another
 * → the last block's output [B, D]; appends each row's key and value to each block's caches.
 * scores: scratch of at least p + 1 floats.
 */
export function decodeBlocks(blocks: DecodeStep[], x: Float32Array, p: number, scores: Float32Array): Float32Array {
  // the fused kernel reads the caches in place: in wasm memory (newRowCache in 'fast' mode)
  const inWasm = blocks.every((bl) => bl.caches.every((c) => c.pk !== undefined && c.pv !== undefined));
  if (!runtime().fast || !inWasm) return blocks.reduce((h, bl) => referenceDecode(bl.w, bl.cfg, h, bl.caches, p, scores), x);
  const B = blocks[0]?.caches.length ?? 1, D = x.length / B;
  // pinned (the inference path's cache entries), before the scratch below
  const ks = blocks.map((bl) => cachedBlockWeights(BLOCK_WEIGHTS.map((n) => bl.w[n])));
  const m = wasm.mark();
  const px = wasm.put(x);
  fastDecode(blocks, ks, px, B, D, p);
  const y = wasm.take(px, B * D);
  wasm.release(m);
  return y;
}
