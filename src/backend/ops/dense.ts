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

export type DenseAct = 'linear' | 'relu' | 'gelu';

/**
 * C[i, :] += b for an N x O block at byte pointer c (b at byte pointer pb), as the rank-one
 * product 1·bᵀ added by sgemm jobs over ranges of rows: spread over the threads like the
 * products around it, where a plain loop runs on this thread alone while the workers go to sleep.
 */
export function addBiasRows(N: number, O: number, c: number, pb: number): void {
  const m = wasm.mark();
  const ones = wasm.alloc(N);
  wasm.heap().fill(1, ones >> 2, (ones >> 2) + N);
  const jobs = wasm.chunks(N, 4, 8).map(([r0, r1]) => [r1 - r0, O, 1, 1, ones + r0 * 4, 1, 0, pb, O, 0, 1, c + r0 * O * 4, O]);
  wasm.runKernelJobs(KIND.sgemm, jobs, N * O * BIAS_WORK);
  wasm.release(m);
}

/** multiply-add equivalents of adding one bias element (a load and a store), for the hand-off threshold */
const BIAS_WORK = 8;

function forward(x: Float32Array, w: Float32Array, b: Float32Array, N: number, I: number, O: number, act: DenseAct) {
  const m = wasm.mark();
  const px = wasm.put(x), pw = wasm.put(w), py = wasm.alloc(N * O);
  wasm.gemm(N, O, I, px, false, pw, false, py);
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
  const pdx = wasm.alloc(N * I), pdw = wasm.alloc(I * O);
  wasm.gemm(N, I, O, pg, false, pw, true, pdx); // dx = g·Wᵀ
  wasm.gemm(I, O, N, px, true, pg, false, pdw); // dW = xᵀ·g
  const out = { dx: wasm.take(pdx, N * I), dw: wasm.take(pdw, I * O), db: wasm.colSums(N, O, pg) };
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
    const pw = wasm.pin(wasm.packedFloats(I, O));
    const m = wasm.mark();
    wasm.packBInto(I, O, wasm.put(w), false, pw);
    wasm.release(m);
    const pb = wasm.pin(O);
    wasm.heap().set(b, pb >> 2);
    return { value: { pw, pb }, ptrs: [pw, pb] };
  });
}

/** Inference: y = act(x·W + b) with the cached weights, no gradient node. x [N, I] → [N, O] */
function inferDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, act: DenseAct): tf.Tensor2D {
  const [N, I] = x.shape;
  const O = w.shape[1];
  const { pw, pb } = cachedWeights(w.dataSync() as Float32Array, b.dataSync() as Float32Array, I, O);
  const m = wasm.mark();
  const py = wasm.alloc(N * O);
  wasm.gemmPacked(N, O, I, wasm.put(x.dataSync()), false, pw, py);
  wasm.addBias(N, O, py, pb);
  if (act === 'gelu') wasm.geluN(N * O, py, py);
  const y = wasm.take(py, N * O);
  if (act === 'relu') for (let i = 0; i < y.length; i++) y[i] = y[i] < 0 ? 0 : y[i];
  wasm.release(m);
  return tf.tensor2d(y, [N, O]);
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
