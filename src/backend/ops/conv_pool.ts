/**
 * TextCNN's feature extractor, conv1d → bias → relu → global pool over the real positions:
 * `convPool` is what models call. In 'fast' mode (runtime.ts), with stride 1 and max pooling, it
 * is ONE tf.customGrad node:
 *   pooled[b, f] = max over real t of relu(conv1d(x, W)[b, t, f] + bias[f])      (0 if no real t)
 * x [B, T, C], W [k, C, F], stride 1, 'valid' or 'same' padding; output position t is real when
 * ids[b, t] ≠ 0 (as SeqnetPool reads the mask from the token ids).
 * Forward: one wasm sgemm over the whole batch without im2col (the padded sequences laid end to
 * end, read as overlapping windows: see conv1d.ts), then one pass that takes the masked max of
 * each (b, f) and records its position t*. As relu and the bias are monotone and constant over
 * t, max_t relu(y_t + bias) = relu(max_t y_t + bias), so both are applied to the max alone.
 * Backward is sparse: after a global max the gradient reaching the conv output is non-zero only
 * at t*(b, f), and only when pooled[b, f] > 0 (relu). With g = dPooled and g' = g·[pooled > 0]:
 *   dbias[f]             = Σ_b g'[b, f]
 *   dW[j, :, f]         += g'[b, f] · xpad[b, t* + j, :]      j = 0 … k−1
 *   dx[b, t* + j − l, :] += g'[b, f] · W[j, :, f]             l = left padding, rows outside x dropped
 * B·F·k·C multiply-adds instead of two dense products, in wasm SIMD (wasm/convpool.ts).
 * Ties in the max go to the first position (the plain ops split the gradient among tied
 * positions; ties between distinct positions do not occur with real-valued data).
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';
import { putRows } from '../kernels/conv1d.js';
import * as wasm from '../wasm/index.js';
import { idsMask, pool } from './pool.js';

export type ConvPoolPadding = 'valid' | 'same';

interface Geometry {
  B: number; T: number; C: number; k: number; F: number;
  /** zero rows before each sequence, padded length, output positions per sequence */
  left: number; Lp: number; oW: number;
}

function geometry(x: tf.Tensor, kernel: tf.Tensor, padding: ConvPoolPadding): Geometry {
  const [B, T, C] = x.shape;
  const [k, , F] = kernel.shape;
  // 'same' as tfjs computes it: k − 1 zeros in all, the extra one (even k) on the right
  const left = padding === 'same' ? Math.floor((k - 1) / 2) : 0;
  const Lp = padding === 'same' ? T + k - 1 : T;
  return { B, T, C, k, F, left, Lp, oW: Lp - k + 1 };
}

/** Output positions per sequence of a stride-1 conv1d; the fused op needs at least one. */
export function convPoolOutputs(T: number, k: number, padding: ConvPoolPadding): number {
  return padding === 'same' ? T : T - k + 1;
}

/** pooled [B, F] and arg [B, F]: the position t* of each max, −1 where pooled is 0 (no gradient). */
function forward(g: Geometry, x: Float32Array, w: Float32Array, bias: Float32Array, ids: ArrayLike<number>) {
  const { B, T, C, k, F, left, Lp, oW } = g;
  const rows = B * Lp - k + 1; // output row b·Lp + t; rows straddling two sequences are dropped
  const m = wasm.mark();
  const px = putRows(x, B, T, C, Lp, left); // the padded sequences end to end
  const pw = wasm.put(w);
  const py = wasm.alloc(rows * F);
  wasm.gemm(rows, F, k * C, px, false, pw, false, py, { lda: C }); // y [rows, F]
  const heap = wasm.heap();

  const pooled = new Float32Array(B * F);
  const arg = new Int32Array(B * F).fill(-1);
  const best = new Float32Array(F);
  for (let b = 0; b < B; b++) {
    best.fill(-Infinity);
    const a0 = b * F;
    for (let t = 0; t < oW; t++) {
      if (ids[b * T + t] === 0) continue; // padding
      const y0 = (py >> 2) + (b * Lp + t) * F;
      for (let f = 0; f < F; f++) {
        const v = heap[y0 + f];
        if (v > best[f]) { // strict: the first of tied maxima
          best[f] = v;
          arg[a0 + f] = t;
        }
      }
    }
    for (let f = 0; f < F; f++) {
      if (arg[a0 + f] < 0) continue; // an all-padding row pools to 0
      const v = Math.fround(best[f] + bias[f]);
      if (v > 0) pooled[a0 + f] = v;
      else arg[a0 + f] = -1; // relu cut it: no gradient
    }
  }
  wasm.release(m);
  return { pooled, arg };
}

interface Grads { dx: Float32Array; dwt: Float32Array; db: Float32Array }

/** The sparse backward in wasm (wasm/convpool.ts). */
function sparseGrad(g: Geometry, x: Float32Array, wt: Float32Array, arg: Int32Array, dy: Float32Array): Grads {
  const { B, T, C, k, F, left } = g;
  const m = wasm.mark();
  const px = wasm.put(x), pwt = wasm.put(wt), pdy = wasm.put(dy);
  const parg = wasm.alloc(B * F);
  const pdwt = wasm.alloc(F * k * C), pdx = wasm.alloc(B * T * C), pdb = wasm.alloc(F);
  const heap = wasm.heap();
  new Int32Array(heap.buffer, parg, B * F).set(arg);
  heap.fill(0, pdwt >> 2, (pdwt >> 2) + F * k * C);
  heap.fill(0, pdx >> 2, (pdx >> 2) + B * T * C);
  heap.fill(0, pdb >> 2, (pdb >> 2) + F);
  wasm.exportsOf().convPoolGrad(B, T, C, k, F, left, px, pwt, parg, pdy, pdwt, pdx, pdb);
  const out = { dx: wasm.take(pdx, B * T * C), dwt: wasm.take(pdwt, F * k * C), db: wasm.take(pdb, F) };
  wasm.release(m);
  return out;
}

/** dx [B, T, C], dW [k, C, F], dbias [F] from dPooled [B, F]. */
function backward(g: Geometry, x: Float32Array, w: Float32Array, arg: Int32Array, dy: Float32Array) {
  const { C, k, F } = g;
  // W and dW as [F, k, C], so that the sparse loops run along contiguous rows of C
  const wt = new Float32Array(F * k * C);
  for (let j = 0; j < k; j++) for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) wt[(f * k + j) * C + c] = w[(j * C + c) * F + f];
  const { dx, dwt, db } = sparseGrad(g, x, wt, arg, dy);
  const dw = new Float32Array(k * C * F);
  for (let f = 0; f < F; f++) for (let j = 0; j < k; j++) for (let c = 0; c < C; c++) dw[(j * C + c) * F + f] = dwt[(f * k + j) * C + c];
  return { dx, dw, db };
}

/**
 * x [B, T, C] float32, kernel [k, C, F], bias [F], ids [B, T] (0 = padding; no gradient) →
 * [B, F] = max over real positions of relu(conv1d(x, kernel, stride 1, padding) + bias).
 * Needs convPoolOutputs(T, k, padding) ≥ 1.
 */
export function convMaxPoolFused(x: tf.Tensor3D, kernel: tf.Tensor3D, bias: tf.Tensor1D, ids: tf.Tensor2D, padding: ConvPoolPadding): tf.Tensor2D {
  const g = geometry(x, kernel, padding);
  tf.util.assert(g.oW >= 1, () => `convMaxPoolFused: kernel width ${g.k} does not fit ${g.T} positions with ${padding} padding`);
  tf.util.assert(ids.shape[0] === g.B && ids.shape[1] === g.T, () => `convMaxPoolFused: ids ${ids.shape} do not match x ${x.shape}`);
  const idv = ids.dataSync();
  const op = tf.customGrad((...args: unknown[]) => {
    const [xt, wt, bt] = args as tf.Tensor[];
    const xs = xt.dataSync() as Float32Array;
    const ws = wt.dataSync() as Float32Array;
    const f = forward(g, xs, ws, bt.dataSync() as Float32Array, idv);
    return {
      value: tf.tensor2d(f.pooled, [g.B, g.F]),
      gradFunc: (dy: tf.Tensor) => {
        const r = backward(g, xs, ws, f.arg, dy.dataSync() as Float32Array);
        return [tf.tensor3d(r.dx, [g.B, g.T, g.C]), tf.tensor3d(r.dw, [g.k, g.C, g.F]), tf.tensor1d(r.db)];
      },
    };
  });
  return op(x, kernel, bias) as tf.Tensor2D;
}

export interface ConvPoolConfig {
  /** step along the sequence */
  stride: number;
  padding: ConvPoolPadding;
  /** global pooling over the real positions */
  pool: 'max' | 'mean';
}

/**
 * x [B, T, C], kernel [k, C, F], bias [F], ids [B, T] (0 = padding) → [B, F]. The fused op covers
 * stride 1, max pooling, float features and at least one output position; otherwise (and as the
 * reference the tests compare with) the plain ops: tf.conv1d, bias, relu, then the masked pool.
 */
export function convPool(x: tf.Tensor3D, kernel: tf.Tensor3D, bias: tf.Tensor1D, ids: tf.Tensor2D, cfg: ConvPoolConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const fused = runtime().fast && cfg.stride === 1 && cfg.pool === 'max' && x.dtype === 'float32' &&
      convPoolOutputs(x.shape[1], kernel.shape[0], cfg.padding) >= 1;
    if (fused) return convMaxPoolFused(x, kernel, bias, ids, cfg.padding);
    const y = tf.relu(tf.conv1d(x, kernel, cfg.stride, cfg.padding).add(bias)) as tf.Tensor3D; // [B, T', F]
    return pool(y, idsMask(ids, y.shape[1], cfg.stride), cfg.pool);
  });
}
