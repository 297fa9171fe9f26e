/**
 * TextCNN's feature extractor, conv1d → bias → relu → global pool over the real positions:
 * `convPool` is what models call. In 'fast' mode (runtime.ts), with stride 1 and max pooling, it
 * is ONE tf.customGrad node:
 *   pooled[b, f] = max over real t of relu(conv1d(x, W)[b, t, f] + bias[f])      (0 if no real t)
 * x [B, T, C], W [k, C, F], stride 1, 'valid' or 'same' padding; output position t is real when
 * ids[b, t] ≠ 0 (as SeqnetPool reads the mask from the token ids).
 * Forward: one kernel (convMaxRows, wasm/convpool.ts and native/convpool.c; batch rows spread
 * over the threads) reads the padded sequences laid end to end as overlapping windows (no
 * im2col: see conv1d.ts) and keeps each tile of conv outputs in registers just long enough to
 * fold it into the masked max of each (b, f) and its position t*: the [B, T, F] conv output is
 * never written. As relu and the bias are monotone and constant over t,
 * max_t relu(y_t + bias) = relu(max_t y_t + bias), so both are applied to the max alone.
 * The padded sequences are copied into wasm memory once for all widths (the runtime's input
 * cache), laid out with room for any width's padding. Outside a gradient scope (inference) the
 * padded filters come from the runtime's weight cache.
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
import { writeRows } from '../kernels/conv1d.js';
import { KIND } from '../wasm/interface.js';
import * as wasm from '../wasm/index.js';
import { idsMask, pool } from './pool.js';

export type ConvPoolPadding = 'valid' | 'same';

interface Geometry {
  B: number; T: number; C: number; k: number; F: number;
  /** zero rows this width's padding puts before each sequence, output positions per sequence */
  left: number; oW: number;
  /**
   * the input as the kernel reads it: each sequence with `pad` zero rows on either side, so rows
   * ld = T + 2·pad apart; window t of sequence b starts at row b·ld + pad − left + t
   */
  pad: number; ld: number;
}

/** Zero rows either side of each sequence for 'same' padding: enough for every width up to 9, so TextCNN's widths share one copy. */
const SAME_PAD = 4;

function geometry(x: tf.Tensor, kernel: tf.Tensor, padding: ConvPoolPadding): Geometry {
  const [B, T, C] = x.shape;
  const [k, , F] = kernel.shape;
  // 'same' as tfjs computes it: k − 1 zeros in all, the extra one (even k) on the right
  const left = padding === 'same' ? Math.floor((k - 1) / 2) : 0;
  const pad = padding === 'same' ? Math.max(SAME_PAD, k - 1 - left) : 0;
  return { B, T, C, k, F, left, oW: convPoolOutputs(T, k, padding), pad, ld: T + 2 * pad };
}

/** Output positions per sequence of a stride-1 conv1d; the fused op needs at least one. */
export function convPoolOutputs(T: number, k: number, padding: ConvPoolPadding): number {
  return padding === 'same' ? T : T - k + 1;
}

/** Filters per row of the padded kernel convMaxRows reads: F rounded up to 16 (every vector width divides it). */
const paddedFilters = (F: number): number => Math.ceil(F / 16) * 16;
/** Zero rows after the sequences: a tile of output positions may run past the last one (convMaxRows). */
const TAIL_ROWS = 8;
/** Batch-row jobs per call: a few per thread, so that a thread the OS runs late takes fewer. */
const JOBS = 8;

/** W [k, C, F] as [k·C, Fp] rows padded with zeros, at byte pointer dst. */
function padKernel(w: Float32Array, K: number, F: number, dst: number): void {
  const Fp = paddedFilters(F), o = dst >> 2, heap = wasm.heap();
  heap.fill(0, o, o + K * Fp);
  for (let r = 0; r < K; r++) heap.set(w.subarray(r * F, (r + 1) * F), o + r * Fp);
}

/** The padded kernel pinned in wasm memory while the weights are unchanged (inference; stack empty). */
function cachedKernel(w: Float32Array, K: number, F: number): number {
  const rt = runtime();
  return rt.weightCache.get([w], rt.weightsVersion, () => {
    const p = wasm.pin(K * paddedFilters(F));
    padKernel(w, K, F, p);
    return { value: p, ptrs: [p] };
  });
}

/**
 * x [B, T, C] as the kernel reads it (Geometry: B·ld rows, then TAIL_ROWS zero rows), pinned.
 * Every width of a TextCNN reads the same embedded batch with the same layout, so they share one
 * copy (the runtime's input cache: one entry, replaced by the next input). A byte pointer to
 * row 0; call with an empty stack.
 */
function paddedInput(x: Float32Array, g: Geometry): number {
  const { B, T, C, pad, ld } = g;
  return runtime().inputCache.get(x, `convPool ${B} ${T} ${C} ${pad}`, () => {
    const p = wasm.pin((B * ld + TAIL_ROWS) * C);
    writeRows(p, x, B, T, C, ld, pad, TAIL_ROWS);
    return p;
  });
}

/** Whether convMaxRows' scratch (Fp floats, Fp i32 and a 32-float tile per thread) fits in a thread's workspace. */
export const convMaxFits = (F: number): boolean => 4 * (2 * paddedFilters(F) + 32) <= wasm.exportsOf().workspaceBytes();

/** pooled [B, F] and arg [B, F]: the position t* of each max, −1 where pooled is 0 (no gradient). */
function forward(g: Geometry, x: Float32Array, w: Float32Array, bias: Float32Array, ids: Int32Array, infer: boolean) {
  const { B, T, C, k, F, left, pad, ld, oW } = g;
  const K = k * C;
  const pw = infer ? cachedKernel(w, K, F) : 0;
  const px = paddedInput(x, g) + (pad - left) * C * 4; // this width's window 0
  const m = wasm.mark();
  const pk = pw || wasm.alloc(K * paddedFilters(F));
  if (!pw) padKernel(w, K, F, pk);
  const pids = wasm.alloc(B * T), pbest = wasm.alloc(B * F), parg = wasm.alloc(B * F);
  new Int32Array(wasm.heap().buffer, pids, B * T).set(ids);
  const jobs = wasm.chunks(B, JOBS).map(([b0, b1]) => [b0, b1, T, C, k, F, ld, oW, px, pk, pids, pbest, parg]);
  const rt = runtime(), work = B * oW * F * K;
  rt.tuner.timed(work, rt.pool.ready() > 0, () => wasm.runKernelJobs(KIND.convMaxRows, jobs, work));
  const best = wasm.take(pbest, B * F);
  const arg = new Int32Array(B * F);
  arg.set(new Int32Array(wasm.heap().buffer, parg, B * F));
  wasm.release(m);

  const pooled = new Float32Array(B * F);
  for (let b = 0; b < B; b++) {
    for (let f = 0, a = b * F; f < F; f++, a++) {
      if (arg[a] < 0) continue; // an all-padding row pools to 0
      const v = Math.fround(best[a] + bias[f]);
      if (v > 0) pooled[a] = v;
      else arg[a] = -1; // relu cut it: no gradient
    }
  }
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
  const raw = ids.dataSync();
  const idv = raw instanceof Int32Array ? raw : Int32Array.from(raw, (v) => +(v !== 0)); // 0 = padding
  // outside a gradient scope nothing can ask for a gradient: the padded kernel may be cached
  const infer = tf.engine().state.gradientDepth === 0;
  const op = tf.customGrad((...args: unknown[]) => {
    const [xt, wt, bt] = args as tf.Tensor[];
    const xs = xt.dataSync() as Float32Array;
    const ws = wt.dataSync() as Float32Array;
    const f = forward(g, xs, ws, bt.dataSync() as Float32Array, idv, infer);
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
      convPoolOutputs(x.shape[1], kernel.shape[0], cfg.padding) >= 1 && convMaxFits(kernel.shape[2]);
    if (fused) return convMaxPoolFused(x, kernel, bias, ids, cfg.padding);
    const y = tf.relu(tf.conv1d(x, kernel, cfg.stride, cfg.padding).add(bias)) as tf.Tensor3D; // [B, T', F]
    return pool(y, idsMask(ids, y.shape[1], cfg.stride), cfg.pool);
  });
}
