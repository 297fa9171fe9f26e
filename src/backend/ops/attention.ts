/**
 * The multi-head self-attention op: `selfAttention` (and `attentionBias`) are what models call.
 * In 'fast' mode (runtime.ts) the attention itself is ONE tf.customGrad node (attentionFused) for
 *   ctx[b, :, head h] = (softmax(q_h·k_hᵀ/√dh + bias) ⊙ M) · v_h        qkv [B, T, 3D], ctx [B, T, D]
 * where q, k, v are the three D-wide parts of each row of qkv (one projection makes all three) and
 * head h owns dimensions h·dh … (h+1)·dh of each (read in place with a row stride of 3D, no
 * transposes), bias is additive and broadcastable to the scores [B, Tq, H, Tk] (−1e9 hides a
 * key), and M an optional dropout multiplier of that shape. The per-(batch row, head) loops run
 * in the kernel library (native/attn_loop.c: direct products on the rows where they lie, no
 * packing; wasm/attn_loop.ts: sgemm calls; SIMD softmax rows in both), ranges of batch rows
 * spread over the worker threads. Backward:
 *   dPd = dctx·vᵀ, dv = Pdᵀ·dctx, dP = dPd ⊙ M, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 *   dq = dS·k/√dh, dk = dSᵀ·q/√dh.
 * Same maths as the plain ops of the reference path below; the saved softmax P is B·H·T² floats.
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';
import { KIND } from '../wasm/interface.js';
import * as wasm from '../wasm/index.js';
import { linear } from './dense.js';
import { dropout, dropoutMask } from './dropout.js';

export interface Geometry {
  B: number; T: number; D: number; H: number;
  /** each query sees only itself and earlier keys: the kernels hide the others themselves and skip their products */
  causal: boolean;
  /** bias [B|1, T|1, 1, T] values and its batch / query strides in floats (0 = broadcast) */
  bias: Float32Array | null; biasB: number; biasQ: number;
}

/** Sizes of q | k | v [B, T, 3D] with `heads` heads, and the bias [B|1, T|1, 1, T] or null. */
export function geometry(qkv: { shape: number[] }, heads: number, bias: tf.Tensor | null, causal = false): Geometry {
  const [B, T, D3] = qkv.shape;
  const D = D3 / 3;
  if (!bias) return { B, T, D, H: heads, causal, bias: null, biasB: 0, biasQ: 0 };
  const [b0, b1] = bias.shape;
  return {
    B, T, D, H: heads, causal, bias: bias.dataSync() as Float32Array,
    biasB: b0 === 1 ? 0 : (b1 === 1 ? 1 : T) * T, biasQ: b1 === 1 ? 0 : T,
  };
}

/** Jobs of batch-row ranges: a few per thread, so a late thread takes fewer. */
const ranges = (B: number): [number, number][] => wasm.chunks(B, 8);

/** the loops' head-count argument: H, plus 1 << 16 when causal */
const headsArg = (g: Geometry): number => g.H | (g.causal ? 1 << 16 : 0);

/** multiply-adds of the four (forward) products of all heads */
const work = (g: Geometry): number => 2 * g.B * g.T * g.T * g.D;

/**
 * The forward loops on wasm blocks (byte pointers): qkv [B, T, 3D], bias and mask (0 = none) →
 * P [B, H, T, T] (the softmax, which backward needs), Pd (scratch of P's size, masked only), ctx [B, T, D].
 */
export function attentionForwardAt(g: Geometry, pqkv: number, pbias: number, pm: number, pP: number, pPd: number, pc: number): void {
  const jobs = ranges(g.B).map(([b0, b1]) => [b0, b1, g.T, g.D, headsArg(g), pqkv, pbias, g.biasB, g.biasQ, pm, pP, pPd, pc]);
  wasm.runKernelJobs(KIND.attnForward, jobs, work(g));
}

/** The backward loops on wasm blocks: dctx [B, T, D] → dqkv [B, T, 3D]; Pd and dP are scratch of P's size. */
export function attentionBackwardAt(g: Geometry, pqkv: number, pm: number, pP: number, pPd: number, pdP: number, pdc: number, pd: number): void {
  const jobs = ranges(g.B).map(([b0, b1]) => [b0, b1, g.T, g.D, headsArg(g), pqkv, pm, pP, pPd, pdP, pdc, pd]);
  wasm.runKernelJobs(KIND.attnBackward, jobs, 2 * work(g));
}

/** Floats of P (and of the scratch blocks like it). */
export const probFloats = (g: Geometry): number => g.B * g.H * g.T * g.T;

/** P [B, H, T, T] (softmax, saved) and ctx [B, T, D]. */
function forward(g: Geometry, qkv: Float32Array, mask: Float32Array | null) {
  const { B, T, D } = g;
  const n = probFloats(g);
  const m = wasm.mark();
  const pqkv = wasm.put(qkv);
  const pbias = g.bias ? wasm.put(g.bias) : 0;
  const pm = mask ? wasm.put(mask) : 0;
  const pP = wasm.alloc(n), pPd = mask ? wasm.alloc(n) : 0, pc = wasm.alloc(B * T * D);
  attentionForwardAt(g, pqkv, pbias, pm, pP, pPd, pc);
  const P = wasm.take(pP, n);
  const ctx = wasm.take(pc, B * T * D);
  wasm.release(m);
  return { P, ctx };
}

function backward(g: Geometry, qkv: Float32Array, mask: Float32Array | null, P: Float32Array, dctx: Float32Array) {
  const { B, T, D } = g;
  const n = probFloats(g);
  const m = wasm.mark();
  const pqkv = wasm.put(qkv), pP = wasm.put(P), pdc = wasm.put(dctx);
  const pm = mask ? wasm.put(mask) : 0;
  const pPd = mask ? wasm.alloc(n) : 0, pdP = wasm.alloc(n), pd = wasm.alloc(B * T * 3 * D);
  attentionBackwardAt(g, pqkv, pm, pP, pPd, pdP, pdc, pd);
  const dqkv = wasm.take(pd, B * T * 3 * D);
  wasm.release(m);
  return dqkv;
}

/**
 * qkv [B, T, 3D] (q | k | v) → ctx [B, T, D]. bias: additive, [B|1, T|1, 1, T], or null; mask: a
 * dropout multiplier [B, T, heads, T] (0 or 1/(1−rate)), or null. Neither gets a gradient.
 * causal: each query sees only itself and earlier keys (the kernels hide the others, so the bias
 * need not, and skip their products).
 */
export function attentionFused(qkv: tf.Tensor3D, heads: number, bias: tf.Tensor | null, mask: tf.Tensor | null, causal = false): tf.Tensor3D {
  const g = geometry(qkv, heads, bias, causal);
  const inputs: tf.Tensor[] = [qkv];
  const iBias = bias ? inputs.push(bias) - 1 : -1;
  const iMask = mask ? inputs.push(mask) - 1 : -1;
  const op = tf.customGrad((...args: unknown[]) => {
    const xs = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const ms = iMask >= 0 ? ((args[iMask] as tf.Tensor).dataSync() as Float32Array) : null;
    const f = forward(g, xs, ms);
    return {
      value: tf.tensor3d(f.ctx, [g.B, g.T, g.D]),
      gradFunc: (dy: tf.Tensor) => {
        const grads: tf.Tensor[] = [tf.tensor3d(backward(g, xs, ms, f.P, dy.dataSync() as Float32Array), [g.B, g.T, 3 * g.D])];
        if (iBias >= 0) grads.push(tf.zerosLike(args[iBias] as tf.Tensor));
        if (iMask >= 0) grads.push(tf.zerosLike(args[iMask] as tf.Tensor));
        return grads;
      },
    };
  });
  return op(...inputs) as tf.Tensor3D;
}

const NEG = -1e9;

/** M [H, D]: M[h, d] = 1 when dimension d belongs to head h (d / dh rounded down) */
function headMasks(H: number, D: number): Float32Array {
  const m = new Float32Array(H * D);
  const dh = D / H;
  for (let d = 0; d < D; d++) m[Math.floor(d / dh) * D + d] = 1;
  return m;
}

/**
 * Additive score bias broadcastable to the scores [B, Tq, H, Tk]: −1e9 at future keys (causal)
 * and padded keys (keyMask [B, T], 1 real / 0 padding); null when nothing is hidden.
 */
export function attentionBias(T: number, causal: boolean, keyMask: tf.Tensor2D | null): tf.Tensor | null {
  if (!causal && !keyMask) return null;
  return tf.tidy(() => {
    let bias: tf.Tensor | null = null;
    if (causal) bias = tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)).mul(NEG).reshape([1, T, 1, T]);
    if (keyMask) {
      const k = tf.sub(1, keyMask.cast('float32')).mul(NEG).reshape([keyMask.shape[0], 1, 1, T]);
      bias = bias ? bias.add(k) : k;
    }
    return bias!;
  });
}

/**
 * t [B, T, D] → [t ⊙ M_1; …; t ⊙ M_H] [B, H·T, D] for masks M [1, H, 1, D]. The gradient sums the
 * H blocks back with a batched product by ones (a sum over axis 1 would transpose on the pure-JS backend).
 */
const spreadHeads = (t: tf.Tensor3D, masks: tf.Tensor4D): tf.Tensor3D => spreadOp(t, masks) as tf.Tensor3D;
const spreadOp = tf.customGrad((...args: unknown[]) => {
  const [t, m] = args as [tf.Tensor3D, tf.Tensor4D];
  const [B, T, D] = t.shape;
  const H = m.shape[1];
  (args[2] as tf.GradSaveFunc)([m]); // saved: the forward scope disposes it before the backward pass
  return {
    value: t.reshape([B, 1, T, D]).mul(m).reshape([B, H * T, D]),
    gradFunc: (dy: tf.Tensor, [ms]: tf.Tensor[]) => [
      tf.matMul(tf.ones([1, 1, H]), dy.reshape([B, H, T, D]).mul(ms).reshape([B, H, T * D])).reshape([B, T, D]),
      tf.zerosLike(ms), // the masks are constants
    ],
  };
});

/** qkv_kernel [D, 3D], qkv_bias [3D], out_kernel [D, D], out_bias [D] */
export interface AttentionWeights {
  qkvKernel: tf.Tensor2D;
  qkvBias: tf.Tensor1D;
  outKernel: tf.Tensor2D;
  outBias: tf.Tensor1D;
}

/**
 * x [B, T, D], keyMask [B, T] (1 real, 0 padding) or null → output [B, T, D], and with
 * `withWeights` the attention weights [B, H, T, T] (each row sums to one).
 *
 * No head transposes: with M_h the 0/1 mask of head h's dh dimensions, q_h·k_h = q·(k ⊙ M_h),
 * so one product q [B, T, D] · K'ᵀ, K' = [k ⊙ M_1; …; k ⊙ M_H] [B, H·T, D], gives every head's
 * scores as [B, T, H·T]; after a per-head softmax, P [B, T, H·T] · V' (V' built like K') sums
 * each head's context straight into its own dimensions of [B, T, D].
 */
export function selfAttention(
  x: tf.Tensor3D, w: AttentionWeights, o: { heads: number; causal: boolean; rate: number },
  keyMask: tf.Tensor2D | null, training = false, withWeights = false,
): { output: tf.Tensor3D; weights?: tf.Tensor4D } {
  return tf.tidy(() => {
    const [B, T, D] = x.shape;
    const H = o.heads;
    const dh = D / H;
    const { qkvKernel: W, qkvBias: b } = w;
    if (runtime().fast && !withWeights) {
      // q | k | v from one product, then every head's products and softmax in one fused op; the
      // dropout multiplier is drawn exactly as dropout(p) below would draw it
      const keep = training && o.rate > 0 ? dropoutMask([B, T, H, T], o.rate) : null;
      const qkv = linear(x, W, b) as tf.Tensor3D; // [B, T, 3D]
      const ctx = attentionFused(qkv, H, attentionBias(T, false, keyMask), keep, o.causal); // causal: in the kernels
      return { output: linear(ctx, w.outKernel, w.outBias) as tf.Tensor3D };
    }
    // q, k, v [B, T, D]: slices of the (small) weights, not of the activations
    const proj = (i: number) => linear(x, W.slice([0, i * D], [D, D]), b.slice([i * D], [D])) as tf.Tensor3D;
    const [q, k, v] = [0, 1, 2].map(proj);
    const heads = tf.tensor4d(headMasks(H, D), [1, H, 1, D]) as tf.Tensor4D; // M_h
    const spread = (t: tf.Tensor3D) => spreadHeads(t, heads);
    let scores = tf.matMul(q, spread(k), false, true).mul(1 / Math.sqrt(dh)).reshape([B, T, H, T]); // [B, Tq, H, Tk]
    const bias = attentionBias(T, o.causal, keyMask); // [B|1, Tq|1, 1, Tk]
    if (bias) scores = scores.add(bias);
    // softmax over keys from broadcasting ops: their fast kernels beat the fused Softmax on the pure-JS backend
    const e = scores.sub(scores.max(-1, true)).exp();
    const p = e.div(e.sum(-1, true)) as tf.Tensor4D; // [B, Tq, H, Tk]
    const ctx = tf.matMul(dropout(p, o.rate, training).reshape([B, T, H * T]) as tf.Tensor3D, spread(v)); // [B, T, D]
    const output = linear(ctx, w.outKernel, w.outBias) as tf.Tensor3D;
    return withWeights ? { output, weights: p.transpose([0, 2, 1, 3]) as tf.Tensor4D } : { output };
  });
}
