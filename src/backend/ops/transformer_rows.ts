/**
 * The transformer block op's passes as one kernel each over whole sequences (transformer_block.ts
 * decides when): blockRows (wasm/block_loop.ts, native/block_loop.c) runs the forward pass, for
 * training or inference, and blockGradRows the backward pass (each job's weight gradients as
 * partial sums over its own tokens), each as jobs of sequence ranges, so that attention needs no
 * other job's rows and a block is one hand-off to the worker threads instead of one per product.
 * Also the block's option and kept-activation types, which both files use.
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';
import { KIND } from '../wasm/interface.js';
import * as wasm from '../wasm/index.js';
import { geometry, probFloats } from './attention.js';
import { cachedWeights } from './dense.js';
import { cachedNorm } from './layer_norm.js';

export interface BlockOptions {
  heads: number;
  /** each query sees only itself and earlier keys (the kernels hide the others and skip their products) */
  causal: boolean;
  epsilon: number;
  /** additive attention bias [B|1, T|1, 1, T] (padding), or null */
  bias: tf.Tensor | null;
  /** dropout multipliers: attention weights [B, T, H, T], residual branches [B, T, D]; null = none */
  attnMask: tf.Tensor | null;
  dropA: tf.Tensor | null;
  dropF: tf.Tensor | null;
}

/** Pinned blocks of one forward pass that its backward pass reads. */
export interface Saved {
  x: number; ln1: number; m1: number; r1: number; qkv: number; P: number; ctx: number;
  h: number; ln2: number; m2: number; r2: number; pre: number; g: number;
}

/** Whether the block runs as jobs of whole sequences (blockRows): enough of them to keep every thread busy. */
export const byRows = (B: number): boolean => B >= 2 * runtime().activeThreads();

/** Pointers (wasm blocks) of one pass of blockRows: BlockParams, wasm/block_loop.ts, past its sizes. */
export interface RowsPass {
  /** the activations, x the input (kept for the backward pass when training) and y the output */
  x: number; ln1: number; m1: number; r1: number; qkv: number; P: number; Pd: number; ctx: number;
  h: number; ln2: number; m2: number; r2: number; pre: number; g: number; y: number;
  /** attention bias, its strides; dropout multipliers (0 = none) */
  bias: number; biasB: number; biasQ: number; attnMask: number; dropA: number; dropF: number;
  /** layer norms' gamma and beta, the products' packed kernels (packB) and biases, in BLOCK_WEIGHTS order */
  weights: number[];
}

/**
 * The whole block as jobs of whole sequences (blockRows, wasm/block_loop.ts and
 * native/block_loop.c): one hand-off to the worker threads per block instead of one per product.
 */
export function blockRows(B: number, T: number, D: number, F: number, o: BlockOptions, p: RowsPass): void {
  const prm = params([
    T, D, F, headsArg(o), 0,
    p.x, p.ln1, p.m1, p.r1, p.qkv, p.P, p.Pd, p.ctx, p.h, p.ln2, p.m2, p.r2, p.pre, p.g, p.y,
    p.bias, p.biasB, p.biasQ, p.attnMask, p.dropA, p.dropF, ...p.weights,
  ]);
  new Float32Array(wasm.heap().buffer, prm + 4 * 4, 1)[0] = o.epsilon;
  sequenceJobs(KIND.blockRows, B, prm, B * T * D * (4 * D + 2 * F) + 2 * B * T * T * D);
}

/** the kernels' head-count argument: H, plus 1 << 16 when causal */
const headsArg = (o: BlockOptions): number => o.heads | (o.causal ? 1 << 16 : 0);

/** A block of i32 arguments on the arena (a byte pointer). */
function params(slots: number[]): number {
  const prm = wasm.alloc(slots.length);
  new Int32Array(wasm.heap().buffer, prm, slots.length).set(slots);
  return prm;
}

/** The sequence ranges [b0, b1) that a kernel over whole sequences runs as jobs: equal ones, the last maybe shorter. */
const sequenceRanges = (B: number): [number, number][] => wasm.chunks(B, 8);

/** A kernel over whole sequences (blockRows, blockGradRows) as jobs of sequence ranges; work in multiply-adds. */
function sequenceJobs(kind: number, B: number, prm: number, work: number): void {
  const jobs = sequenceRanges(B).map(([b0, b1]) => [b0, b1, prm]);
  const rt = runtime();
  rt.tuner.timed(work, rt.pool.ready() > 0, () => wasm.runKernelJobs(kind, jobs, work));
}

/**
 * A block's 12 weights (BLOCK_WEIGHTS order: gamma₁ beta₁ Wqkv bqkv Wo bo gamma₂ beta₂ W₁ b₁ W₂ b₂)
 * pinned in wasm memory while unchanged, the four kernels packed for the products: the dense and
 * layer norm ops' cache entries, so inference and cached decoding share them. Pointers in the same
 * order; call with an empty stack.
 */
export function cachedBlockWeights(weights: tf.Tensor[]): number[] {
  const [g1, b1, Wqkv, bqkv, Wo, bo, g2, b2, W1, bf1, W2, bf2] = weights.map((t) => t.dataSync() as Float32Array);
  const pair = (w: Float32Array, b: Float32Array, [I, O]: number[]) => {
    const c = cachedWeights(w, b, I, O);
    return [c.pw, c.pb];
  };
  const norm = (g: Float32Array, b: Float32Array) => {
    const c = cachedNorm(g, b);
    return [c.g, c.b];
  };
  return [
    ...norm(g1, b1), ...pair(Wqkv, bqkv, weights[2].shape), ...pair(Wo, bo, weights[4].shape),
    ...norm(g2, b2), ...pair(W1, bf1, weights[8].shape), ...pair(W2, bf2, weights[10].shape),
  ];
}

/**
 * Inference (no gradient scope, no dropout) on B ≥ 2 × threads sequences: blockRows on scratch
 * blocks, with the weights from the runtime's cache (packed and pinned while unchanged).
 */
export function inferBlockRows(x: tf.Tensor3D, weights: tf.Tensor[], o: BlockOptions, ag: ReturnType<typeof geometry>): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const F = weights[8].shape[1] as number;
  const N = B * T, ND = N * D;
  const cached = cachedBlockWeights(weights);
  const m = wasm.mark();
  // nothing is kept: x, h and y share one block (updated in place), and so do ln₁ and ln₂, the
  // pre-GELU and GELU outputs and the LN statistics, so that less memory passes through the cache
  const px = wasm.put(x.dataSync() as Float32Array);
  const [ln, mean, rstd, pqkv, P, ctx, ff] = [ND, N, N, 3 * ND, probFloats(ag), ND, N * F].map((n) => wasm.alloc(n));
  blockRows(B, T, D, F, o, {
    x: px, ln1: ln, m1: mean, r1: rstd, qkv: pqkv, P, Pd: 0, ctx, h: px, ln2: ln, m2: mean, r2: rstd, pre: ff, g: ff, y: px,
    bias: ag.bias ? wasm.put(ag.bias) : 0, biasB: ag.biasB, biasQ: ag.biasQ, attnMask: 0, dropA: 0, dropF: 0,
    weights: cached,
  });
  const ys = wasm.take(px, ND);
  wasm.release(m);
  return tf.tensor3d(ys, [B, T, D]);
}

/** Pointers (wasm blocks) the backward pass reads besides the kept activations: dL/dy, the weights as stored, the masks (0 = none). */
export interface GradInputs {
  dy: number; g1: number; g2: number; Wqkv: number; Wo: number; W1: number; W2: number;
  attnMask: number; dropA: number; dropF: number;
}

/**
 * The backward pass on B ≥ 2 × threads sequences: one kernel run as jobs of whole sequences
 * (blockGradRows), the layer norms' and biases' gradients as per-sequence partial sums, the four
 * weight gradients as per-job partial sums (each job's tokens while its gradients are in cache,
 * instead of products over the whole batch afterwards, which read every activation again). Returns the
 * gradients of x and of the weights in BLOCK_WEIGHTS order.
 */
export function backwardRows(B: number, T: number, D: number, F: number, o: BlockOptions, ag: ReturnType<typeof geometry>, at: Saved, p: GradInputs): tf.Tensor[] {
  const N = B * T, ND = N * D, n = probFloats(ag);
  /** Wᵀ packed for the products, W stored [rows, cols] */
  const transposed = (w: number, rows: number, cols: number) => wasm.packB(cols, rows, w, true);
  /** [B, cols] zeroed: a job writes the partial sums of its first sequence's row */
  const partials = (cols: number) => {
    const q = wasm.alloc(B * cols);
    wasm.heap().fill(0, q >> 2, (q >> 2) + B * cols);
    return q;
  };
  const df = p.dropF ? wasm.alloc(ND) : p.dy, dg = wasm.alloc(N * F), dh = wasm.alloc(ND), da = p.dropA ? wasm.alloc(ND) : dh;
  const dqkv = wasm.alloc(3 * ND), dx = wasm.alloc(ND);
  const sums = [D, D, D, D, D, F, D, 3 * D].map(partials); // dg1 db1 dg2 db2 dbf2 dbf1 dbo dbqkv
  // the weight gradients, [jobs, dWqkv dWo dW1 dW2]: each job sums its own tokens into its own
  // row, b0 / step (the jobs' ranges are equal but the last)
  const ranges = sequenceRanges(B), jobs = ranges.length, step = ranges[0][1] - ranges[0][0], W = 4 * D * D + 2 * D * F;
  const wpart = wasm.alloc(jobs * W);
  const prm = params([
    T, D, F, headsArg(o), at.x, at.m1, at.r1, at.qkv, at.P, at.h, at.m2, at.r2, at.pre, p.dy,
    df, dg, wasm.alloc(ND), dh, da, wasm.alloc(ND), dqkv, p.attnMask ? wasm.alloc(n) : 0, wasm.alloc(n), dx,
    p.attnMask, p.dropA, p.dropF, p.g1, p.g2,
    transposed(p.W2, F, D), transposed(p.W1, D, F), transposed(p.Wo, D, D), transposed(p.Wqkv, D, 3 * D),
    ...sums, at.ln1, at.ctx, at.ln2, at.g, wpart, step,
  ]);
  sequenceJobs(KIND.blockGradRows, B, prm, 3 * B * T * D * (4 * D + 2 * F) + 4 * B * T * T * D);
  const [dg1, db1, dg2, db2, dbf2, dbf1, dbo, dbqkv] = sums.map((q, i) => wasm.colSums(B, [D, D, D, D, D, F, D, 3 * D][i], q));
  // Σ over the jobs' rows, in job order (the same sums on any number of threads): [1, jobs]·[jobs, W]
  const ones = wasm.put(new Float32Array(jobs).fill(1)), dW = wasm.alloc(W);
  wasm.gemm(1, W, jobs, ones, false, wpart, false, dW);
  const [dWqkv, dWo, dW1, dW2] = [[0, 3 * D * D], [3 * D * D, D * D], [4 * D * D, D * F], [4 * D * D + D * F, D * F]].map(([at, len]) => wasm.take(dW + 4 * at, len));
  return [
    tf.tensor3d(wasm.take(dx, ND), [B, T, D]), tf.tensor1d(dg1), tf.tensor1d(db1),
    tf.tensor2d(dWqkv, [D, 3 * D]), tf.tensor1d(dbqkv), tf.tensor2d(dWo, [D, D]), tf.tensor1d(dbo),
    tf.tensor1d(dg2), tf.tensor1d(db2), tf.tensor2d(dW1, [D, F]), tf.tensor1d(dbf1), tf.tensor2d(dW2, [F, D]), tf.tensor1d(dbf2),
  ];
}

