/**
 * The layer norm op, over the last axis: `layerNorm` is what models call. In 'fast' mode
 * (runtime.ts) it is ONE tf.customGrad node instead of the dozen broadcasting ops (and their
 * gradients) that the plain formula costs per call:
 *   layerNormFused  y = (x − μ)·rstd·γ + β over the last axis, rstd = 1/√(σ² + ε), σ² the
 *                   population variance; backward dx = rstd·(g − mean(g) − x̂·mean(g·x̂)),
 *                   g = dy·γ, dγ = Σ dy·x̂, dβ = Σ dy, in wasm SIMD (wasm/norm.ts)
 * Otherwise the same maths from plain tf ops (broadcasting, not tfjs' LayerNormalization, whose
 * Tile gradient is one Slice per repetition) is the reference (tests compare values and gradients).
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';
import * as wasm from '../wasm/index.js';
import { scaleShift } from './affine.js';
import { tidyValues } from './values.js';

/** x [..., D] → { y, mean [N], rstd [N] } with N = x.size / D (wasm/norm.ts). */
function normForward(x: Float32Array, g: Float32Array, b: Float32Array, D: number, eps: number) {
  const N = x.length / D;
  const m = wasm.mark();
  const px = wasm.put(x), pg = wasm.put(g), pb = wasm.put(b);
  const py = wasm.alloc(x.length), pm = wasm.alloc(N), pr = wasm.alloc(N);
  wasm.layerNorm(N, D, px, pg, pb, eps, py, pm, pr);
  const out = { y: wasm.take(py, x.length), mean: wasm.take(pm, N), rstd: wasm.take(pr, N) };
  wasm.release(m);
  return out;
}

function normBackward(x: Float32Array, dy: Float32Array, g: Float32Array, mean: Float32Array, rstd: Float32Array, D: number) {
  const N = x.length / D;
  const m = wasm.mark();
  const px = wasm.put(x), pdy = wasm.put(dy), pg = wasm.put(g), pm = wasm.put(mean), pr = wasm.put(rstd);
  const pdx = wasm.alloc(x.length), pdg = wasm.alloc(D), pdb = wasm.alloc(D);
  wasm.heap().fill(0, pdg >> 2, (pdg >> 2) + D);
  wasm.heap().fill(0, pdb >> 2, (pdb >> 2) + D);
  wasm.layerNormGrad(N, D, px, pdy, pg, pm, pr, pdx, pdg, pdb);
  const out = { dx: wasm.take(pdx, x.length), dg: wasm.take(pdg, D), db: wasm.take(pdb, D) };
  wasm.release(m);
  return out;
}

const layerNormOp = (eps: number) =>
  tf.customGrad((...args: unknown[]) => {
    const [x, gamma, beta] = args as tf.Tensor[];
    const D = x.shape[x.shape.length - 1];
    const xs = x.dataSync() as Float32Array, g = gamma.dataSync() as Float32Array;
    const f = normForward(xs, g, beta.dataSync() as Float32Array, D, eps);
    return {
      value: tf.tensor(f.y, x.shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => {
        const r = normBackward(xs, dy.dataSync() as Float32Array, g, f.mean, f.rstd, D);
        return [tf.tensor(r.dx, x.shape, 'float32'), tf.tensor1d(r.dg), tf.tensor1d(r.db)];
      },
    };
  });

const normOps = new Map<number, ReturnType<typeof layerNormOp>>();

/** The fused op: layer normalisation over the last axis, x [..., D], gamma [D], beta [D] → [..., D]. */
/** gamma and beta [D] pinned while the weights are unchanged (inference; call with an empty stack). */
export function cachedNorm(g: Float32Array, b: Float32Array): { g: number; b: number } {
  const rt = runtime();
  return rt.weightCache.get([g, b], rt.weightsVersion, () => {
    const value = { g: wasm.pinCopy(g), b: wasm.pinCopy(b) };
    return { value, ptrs: [value.g, value.b] };
  });
}

export function layerNormFused(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  let op = normOps.get(eps);
  if (!op) normOps.set(eps, (op = layerNormOp(eps)));
  return op(x, gamma, beta) as tf.Tensor;
}

/**
 * Inference on arrays (no gradient scope): x [N, D] → y [N, D], with gamma and beta pinned while
 * unchanged and the statistics, which only a backward pass reads, left in scratch.
 */
function inferRows(x: Float32Array, gamma: tf.Tensor, beta: tf.Tensor, D: number, eps: number): Float32Array {
  const N = x.length / D;
  const { g, b } = cachedNorm(gamma.dataSync() as Float32Array, beta.dataSync() as Float32Array);
  const m = wasm.mark();
  const px = wasm.put(x), py = wasm.alloc(x.length), stats = wasm.alloc(2 * N);
  wasm.layerNorm(N, D, px, g, b, eps, py, stats, stats + 4 * N);
  const y = wasm.take(py, x.length);
  wasm.release(m);
  return y;
}

/** Layer norm over the last axis: x [..., D], gamma [D], beta [D] → [..., D] (one fused op in 'fast' mode). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    if (runtime().fast && tf.engine().state.gradientDepth === 0 && x.dtype === 'float32') {
      return tf.tensor(inferRows(x.dataSync() as Float32Array, gamma, beta, gamma.shape[0]!, epsilon), x.shape, 'float32');
    }
    if (runtime().fast) return layerNormFused(x, gamma, beta, epsilon);
    const centred = x.sub(x.mean(-1, true));
    const inv = tf.rsqrt(centred.square().mean(-1, true).add(epsilon));
    return scaleShift(centred.mul(inv), gamma, beta);
  });
}

/**
 * Layer norm at inference on plain arrays (a generator's one position per row): x [N, D] →
 * [N, D]. Fused in 'fast' mode (no tensor), else the plain ops.
 */
export function layerNormRows(x: Float32Array, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): Float32Array {
  const D = gamma.shape[0]!;
  if (runtime().fast) return inferRows(x, gamma, beta, D, epsilon);
  return tidyValues(() => [layerNorm(tf.tensor2d(x, [x.length / D, D]), gamma, beta, epsilon)])[0];
}
