/**
 * The dense op, y = act(x·W + b) for x [..., I], W [I, O], b [O] → [..., O]: `dense` and `linear`
 * are what models call. In 'fast' mode (runtime.ts) it is ONE tf.customGrad node whose forward
 * and backward each copy into wasm once, instead of a product, a broadcasting Add, an activation
 * op and their three gradients (each a pass over [N, O] and a fresh array):
 *   forward   z = x·W (sgemm) + b (in place), y = act(z) (in place; z kept for GELU's gradient)
 *   backward  g = dy ⊙ act'(z), dx = g·Wᵀ, dW = xᵀ·g, db = Σ_rows g
 * Outside a gradient scope (inference, generation) there is no gradient node at all, and W and b
 * come from the runtime's weight cache: packed once into wasm memory, not copied every call.
 * Otherwise one 2-D product with an sgemm-friendly bias gradient (affine.ts) and the activation
 * from plain ops: the reference (tests compare values and gradients).
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';
import { KIND } from '../wasm/interface.js';
import * as wasm from '../wasm/index.js';
import { addBias } from './affine.js';
import { tidyValues } from './values.js';

export type DenseAct = 'linear' | 'relu' | 'gelu';

/**
 * jobs per product (row blocks of a product's output, output blocks of a weight gradient's):
 * several per thread, so that a thread the OS runs late (or a worker woken from sleep) simply
 * takes fewer
 */
const ROW_PARTS = 8, OUT_PARTS = 4;

/** Runs a product of `macs` multiply-adds, timed for the thread tuner as wasm.gemm's are. */
function timed(macs: number, run: () => void): void {
  const rt = runtime();
  const t0 = performance.now();
  run();
  if (rt.pool.ready() > 0) rt.tuner.record(macs, performance.now() - t0);
}

/**
 * C[M, N] (+)= A[M, K]·B with B packed (wasm.packB, the weight cache): ranges of C's rows are jobs
 * spread over the threads, each packing only its own rows of A. (wasm.gemm and gemmPacked cut a
 * product into 8 blocks on two threads, and every block of a tall one, 2048 tokens by 128-512
 * columns, packs all of B, or all of A: the product then copies an operand 8 times.)
 */
export function timesPacked(M: number, N: number, K: number, a: number, packed: number, c: number, accumulate = false): void {
  const beta = accumulate ? 1 : 0;
  const jobs = wasm.chunks(M, ROW_PARTS, 8).map(([r0, r1]) => [r1 - r0, N, K, 1, a + r0 * K * 4, K, 0, packed, N, 0, beta, c + r0 * N * 4, N]);
  timed(M * N * K, () => wasm.runKernelJobs(KIND.sgemmPacked, jobs, M * N * K));
}

/** C[M, N] (+)= A[M, K]·op(B), op(B) [K, N] (B stored [N, K] when transB) packed once, then as timesPacked. */
export function times(M: number, N: number, K: number, a: number, b: number, transB: boolean, c: number, accumulate = false): void {
  const m = wasm.mark();
  timesPacked(M, N, K, a, wasm.packB(K, N, b, transB), c, accumulate);
  wasm.release(m);
}

/**
 * Aᵀ·G [R, S] for A [N, R] and G [N, S] at byte pointers (a weight gradient over N tokens), as a
 * new array: blocks of the output (columns of G, or columns of A when R is the longer side) are
 * jobs, each summing over all N tokens, so no partial sums are added afterwards.
 */
export function transTimes(R: number, S: number, N: number, a: number, g: number): Float32Array {
  return transTimesMany(N, [[R, S, a, g]])[0];
}

/**
 * Several such products over the same N tokens ([R, S, a, g] each) as the jobs of one hand-off to
 * the threads: a block's weight gradients, whose inputs are all ready once its backward pass has
 * run, balance better together than one product at a time.
 */
export function transTimesMany(N: number, products: [number, number, number, number][]): Float32Array[] {
  const m = wasm.mark();
  const outs = products.map(([R, S]) => wasm.alloc(R * S));
  const jobs = products.flatMap(([R, S, a, g], i) =>
    // C[R, S] = Aᵀ·G, A [N, R] read transposed: blocks of columns of C (of G), or of rows of C (of A)
    S >= R
      ? wasm.chunks(S, OUT_PARTS, 16).map(([j0, j1]) => [R, j1 - j0, N, 1, a, R, 1, g + j0 * 4, S, 0, 0, outs[i] + j0 * 4, S])
      : wasm.chunks(R, OUT_PARTS, 16).map(([i0, i1]) => [i1 - i0, S, N, 1, a + i0 * 4, R, 1, g, S, 0, 0, outs[i] + i0 * S * 4, S]),
  );
  const work = products.reduce((w, [R, S]) => w + R * S * N, 0);
  timed(work, () => wasm.runKernelJobs(KIND.sgemm, jobs, work));
  const r = products.map(([R, S], i) => wasm.take(outs[i], R * S));
  wasm.release(m);
  return r;
}

function forward(x: Float32Array, w: Float32Array, b: Float32Array, N: number, I: number, O: number, act: DenseAct) {
  const m = wasm.mark();
  const px = wasm.put(x), pw = wasm.put(w), py = wasm.alloc(N * O);
  times(N, O, I, px, pw, false, py);
  wasm.addBias(N, O, py, wasm.put(b));
  let pre: Float32Array | null = null;
  if (act === 'gelu') {
    pre = wasm.take(py, N * O);
    wasm.geluN(N * O, py, py);
  }
  const y = wasm.take(py, N * O);
  if (act === 'relu') for (let i = 0; i < y.length; i++) y[i] = y[i] < 0 ? 0 : y[i];
  wasm.release(m);
  return { y, pre };
}

function backward(
  x: Float32Array, w: Float32Array, dy: Float32Array, N: number, I: number, O: number,
  act: DenseAct, pre: Float32Array | null, y: Float32Array,
) {
  const m = wasm.mark();
  const pg = wasm.put(dy);
  if (act === 'gelu') wasm.geluGradN(N * O, wasm.put(pre!), pg, pg);
  if (act === 'relu') {
    const h = wasm.heap(), o = pg >> 2;
    for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) h[o + i] = 0;
  }
  const px = wasm.put(x), pw = wasm.put(w);
  const pdx = wasm.alloc(N * I);
  times(N, I, O, pg, pw, true, pdx); // dx = g·Wᵀ
  const out = { dx: wasm.take(pdx, N * I), dw: transTimes(I, O, N, px, pg), db: wasm.colSums(N, O, pg) }; // dW = xᵀ·g
  wasm.release(m);
  return out;
}

/**
 * W [I, O] packed for the products (gemmPacked) and b [O], pinned in wasm memory while the
 * weights are unchanged (the runtime's weight cache; call with an empty arena stack).
 */
export function cachedWeights(w: Float32Array, b: Float32Array, I: number, O: number): { pw: number; pb: number } {
  const rt = runtime();
  return rt.weightCache.get([w, b], rt.weightsVersion, () => {
    const pw = wasm.pinPacked(w, I, O), pb = wasm.pinCopy(b);
    return { value: { pw, pb }, ptrs: [pw, pb] };
  });
}

/** Inference on arrays: y [N, O] = act(x·W + b) with the cached weights. x [N, I] */
function inferRows(x: Float32Array, w: tf.Tensor2D, b: tf.Tensor1D, act: DenseAct): Float32Array {
  const [I, O] = w.shape;
  const N = x.length / I;
  const { pw, pb } = cachedWeights(w.dataSync() as Float32Array, b.dataSync() as Float32Array, I, O);
  const m = wasm.mark();
  const py = wasm.alloc(N * O);
  timesPacked(N, O, I, wasm.put(x), pw, py);
  wasm.addBias(N, O, py, pb);
  if (act === 'gelu') wasm.geluN(N * O, py, py);
  const y = wasm.take(py, N * O);
  if (act === 'relu') for (let i = 0; i < y.length; i++) y[i] = y[i] < 0 ? 0 : y[i];
  wasm.release(m);
  return y;
}

/** Inference: y = act(x·W + b) with the cached weights, no gradient node. x [N, I] → [N, O] */
function inferDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, act: DenseAct): tf.Tensor2D {
  return tf.tensor2d(inferRows(x.dataSync() as Float32Array, w, b, act), [x.shape[0], w.shape[1]]);
}

/**
 * act(x·W + b) at inference on plain arrays (a generator's one position per row): x [N, I] →
 * [N, O]. Fused in 'fast' mode (the weights packed once, no tensor), else the plain ops.
 */
export function denseRows(x: Float32Array, w: tf.Tensor2D, b: tf.Tensor1D, activation: DenseAct): Float32Array {
  if (runtime().fast) return inferRows(x, w, b, activation);
  const I = w.shape[0];
  return tidyValues(() => [dense(tf.tensor2d(x, [x.length / I, I]), w, b, activation)])[0];
}

const ops = new Map<DenseAct, (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

function denseOp(act: DenseAct) {
  return tf.customGrad((...args: unknown[]) => {
    const [x, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const [N, I] = x.shape;
    const O = w.shape[1];
    const xs = x.dataSync() as Float32Array, ws = w.dataSync() as Float32Array;
    const f = forward(xs, ws, b.dataSync() as Float32Array, N, I, O, act);
    return {
      value: tf.tensor2d(f.y, [N, O]),
      gradFunc: (dy: tf.Tensor) => {
        const r = backward(xs, ws, dy.dataSync() as Float32Array, N, I, O, act, f.pre, f.y);
        return [tf.tensor2d(r.dx, [N, I]), tf.tensor2d(r.dw, [I, O]), tf.tensor1d(r.db)];
      },
    };
  });
}

/** The fused op: act(x·W + b), x [..., I], W [I, O], b [O] → [..., O] (float32). */
export function denseFused(x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D, act: DenseAct = 'linear'): tf.Tensor {
  const [I, O] = w.shape;
  const lead = x.shape.slice(0, -1);
  // outside a gradient scope nothing can ask for a gradient
  if (tf.engine().state.gradientDepth === 0) return tf.tidy(() => inferDense(x.reshape([-1, I]), w, b, act).reshape([...lead, O]));
  let op = ops.get(act);
  if (!op) ops.set(act, (op = denseOp(act)));
  return tf.tidy(() => op!(x.reshape([-1, I]), w, b).reshape([...lead, O]));
}

/** GELU, x·Φ(x) = ½x(1 + erf(x/√2)) (Hendrycks & Gimpel), from plain ops; fused into dense() in 'fast' mode */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5));
}

/** x [..., I] · W [I, O] + b [O] → [..., O], through one 2-D product (one fused op in 'fast' mode) */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor {
  if (runtime().fast) return denseFused(x, w, b);
  const [I, O] = w.shape;
  const lead = x.shape.slice(0, -1);
  return addBias(tf.matMul(x.reshape([-1, I]), w), b).reshape([...lead, O]);
}

/** act(x·W + b): x [..., I], W [I, O], b [O] → [..., O] (one fused op in 'fast' mode). */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b: tf.Tensor1D, activation: DenseAct): tf.Tensor {
  return tf.tidy(() => {
    if (runtime().fast) return denseFused(x, w, b, activation);
    const y = linear(x, w, b);
    return activation === 'relu' ? tf.relu(y) : activation === 'gelu' ? gelu(y) : y;
  });
}
