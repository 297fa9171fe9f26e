/**
 * Fused multi-head scaled dot-product attention for the pure-JS path: ONE tf.customGrad node for
 *   ctx[b, :, head h] = (softmax(q_h·k_hᵀ/√dh + bias) ⊙ M) · v_h        qkv [B, T, 3D], ctx [B, T, D]
 * where q, k, v are the three D-wide parts of each row of qkv (one projection makes all three) and
 * head h owns dimensions h·dh … (h+1)·dh of each (read in place with a row stride of 3D, no
 * transposes), bias is additive and broadcastable to the scores [B, Tq, H, Tk] (−1e9 hides a
 * key), and M an optional dropout multiplier of that shape. The per-(batch row, head) loops run
 * in wasm (wasm/attn_loop.ts: sgemm calls and SIMD softmax rows), ranges of batch rows spread over
 * the worker threads. Backward:
 *   dPd = dctx·vᵀ, dv = Pdᵀ·dctx, dP = dPd ⊙ M, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 *   dq = dS·k/√dh, dk = dSᵀ·q/√dh.
 * Same maths as the plain ops; the saved softmax P is B·H·T² floats.
 */
import { tf } from '../tf.js';
import { KIND_ATTN_BACKWARD, KIND_ATTN_FORWARD } from './threads.js';
import * as wasm from './wasm.js';

export interface Geometry {
  B: number; T: number; D: number; H: number;
  /** the bias hides every key after its query: those products are skipped (wasm/attn_loop.ts) */
  causal: boolean;
  /** bias [B|1, T|1, 1, T] values and its batch / query strides in floats (0 = broadcast) */
  bias: Float32Array | null; biasB: number; biasQ: number;
}

/** Sizes of q | k | v [B, T, 3D] with `heads` heads, and the bias [B|1, T|1, 1, T] or null. */
export function geometry(qkv: { shape: number[] }, heads: number, bias: tf.Tensor | null, causal = false): Geometry {
  const [B, T, D3] = qkv.shape;
  const D = D3 / 3;
  if (!bias) return { B, T, D, H: heads, causal: false, bias: null, biasB: 0, biasQ: 0 };
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
  wasm.runKernelJobs(KIND_ATTN_FORWARD, jobs, work(g));
}

/** The backward loops on wasm blocks: dctx [B, T, D] → dqkv [B, T, 3D]; Pd and dP are scratch of P's size. */
export function attentionBackwardAt(g: Geometry, pqkv: number, pm: number, pP: number, pPd: number, pdP: number, pdc: number, pd: number): void {
  const jobs = ranges(g.B).map(([b0, b1]) => [b0, b1, g.T, g.D, headsArg(g), pqkv, pm, pP, pPd, pdP, pdc, pd]);
  wasm.runKernelJobs(KIND_ATTN_BACKWARD, jobs, 2 * work(g));
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
 * causal: the bias hides every key after its query (the products for those keys are skipped).
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
