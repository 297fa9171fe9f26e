/**
 * Fused multi-head scaled dot-product attention for the pure-JS path: ONE tf.customGrad node for
 *   ctx[b, :, head h] = (softmax(q_h·k_hᵀ/√dh + bias) ⊙ M) · v_h        q, k, v, ctx [B, T, D]
 * where head h owns dimensions h·dh … (h+1)·dh of D (read in place with a row stride of D, no
 * transposes), bias is additive and broadcastable to the scores [B, Tq, H, Tk] (−1e9 hides a
 * key), and M an optional dropout multiplier of that shape. Per (batch row, head) the products
 * are wasm sgemm calls and the softmax rows wasm SIMD (wasm/attention.ts). Backward:
 *   dPd = dctx·vᵀ, dv = Pdᵀ·dctx, dP = dPd ⊙ M, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 *   dq = dS·k/√dh, dk = dSᵀ·q/√dh.
 * Same maths as the plain ops; the saved softmax P is B·H·T² floats.
 */
import { tf } from '../tf.js';
import * as wasm from './wasm.js';

interface Geometry {
  B: number; T: number; D: number; H: number; dh: number;
  /** bias [B|1, T|1, 1, T] values and its batch / query strides in floats (0 = broadcast) */
  bias: Float32Array | null; biasB: number; biasQ: number;
}

/** Byte pointer of head h of batch row b in a [B, T, D] block at p. */
const headAt = (g: Geometry, p: number, b: number, h: number): number => p + (b * g.T * g.D + h * g.dh) * 4;

function geometry(q: tf.Tensor, heads: number, bias: tf.Tensor | null): Geometry {
  const [B, T, D] = q.shape;
  if (!bias) return { B, T, D, H: heads, dh: D / heads, bias: null, biasB: 0, biasQ: 0 };
  const [b0, b1] = bias.shape;
  return {
    B, T, D, H: heads, dh: D / heads, bias: bias.dataSync() as Float32Array,
    biasB: b0 === 1 ? 0 : (b1 === 1 ? 1 : T) * T, biasQ: b1 === 1 ? 0 : T,
  };
}

/** P [B, H, T, T] (softmax, saved) and ctx [B, T, D]. */
function forward(g: Geometry, q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array | null) {
  const { B, T, D, H, dh } = g;
  const TT = T * T;
  const m = wasm.mark();
  const pq = wasm.put(q), pk = wasm.put(k), pv = wasm.put(v);
  const pbias = g.bias ? wasm.put(g.bias) : 0;
  const pm = mask ? wasm.put(mask) : 0;
  const pP = wasm.alloc(B * H * TT);
  const pPd = mask ? wasm.alloc(TT) : 0;
  const pc = wasm.alloc(B * T * D);
  const e = wasm.attentionRows();
  const scale = 1 / Math.sqrt(dh);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const s = pP + (b * H + h) * TT * 4;
      wasm.gemm(T, T, dh, headAt(g, pq, b, h), false, headAt(g, pk, b, h), true, s, { alpha: scale, lda: D, ldb: D });
      e.softmaxRows(T, T, s, pbias ? pbias + b * g.biasB * 4 : 0, g.biasQ);
      let pd = s;
      if (pm) {
        e.mulRows(T, T, s, pm + (b * T * H + h) * T * 4, H * T, pPd); // mask [B, Tq, H, Tk]
        pd = pPd;
      }
      wasm.gemm(T, dh, T, pd, false, headAt(g, pv, b, h), false, headAt(g, pc, b, h), { ldb: D, ldc: D });
    }
  }
  const P = wasm.take(pP, B * H * TT);
  const ctx = wasm.take(pc, B * T * D);
  wasm.release(m);
  return { P, ctx };
}

function backward(g: Geometry, q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array | null, P: Float32Array, dctx: Float32Array) {
  const { B, T, D, H, dh } = g;
  const TT = T * T;
  const m = wasm.mark();
  const pq = wasm.put(q), pk = wasm.put(k), pv = wasm.put(v), pP = wasm.put(P), pdc = wasm.put(dctx);
  const pm = mask ? wasm.put(mask) : 0;
  const pPd = mask ? wasm.alloc(TT) : 0;
  const pdP = wasm.alloc(TT);
  const pdq = wasm.alloc(B * T * D), pdk = wasm.alloc(B * T * D), pdv = wasm.alloc(B * T * D);
  const e = wasm.attentionRows();
  const scale = 1 / Math.sqrt(dh);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const p = pP + (b * H + h) * TT * 4;
      const mrow = pm ? pm + (b * T * H + h) * T * 4 : 0;
      let pd = p;
      if (pm) {
        e.mulRows(T, T, p, mrow, H * T, pPd);
        pd = pPd;
      }
      const dc = headAt(g, pdc, b, h);
      wasm.gemm(T, dh, T, pd, true, dc, false, headAt(g, pdv, b, h), { ldb: D, ldc: D }); // dv = Pdᵀ·dctx
      wasm.gemm(T, T, dh, dc, false, headAt(g, pv, b, h), true, pdP, { lda: D, ldb: D }); // dPd = dctx·vᵀ
      if (pm) e.mulRows(T, T, pdP, mrow, H * T, pdP);
      e.softmaxGradRows(T, T, p, pdP, pdP); // dS
      wasm.gemm(T, dh, T, pdP, false, headAt(g, pk, b, h), false, headAt(g, pdq, b, h), { alpha: scale, ldb: D, ldc: D });
      wasm.gemm(T, dh, T, pdP, true, headAt(g, pq, b, h), false, headAt(g, pdk, b, h), { alpha: scale, ldb: D, ldc: D });
    }
  }
  const out = { dq: wasm.take(pdq, B * T * D), dk: wasm.take(pdk, B * T * D), dv: wasm.take(pdv, B * T * D) };
  wasm.release(m);
  return out;
}

/**
 * q, k, v [B, T, D] → ctx [B, T, D]. bias: additive, [B|1, T|1, 1, T], or null; mask: a dropout
 * multiplier [B, T, heads, T] (0 or 1/(1−rate)), or null. Neither gets a gradient.
 */
export function attentionFused(
  q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, bias: tf.Tensor | null, mask: tf.Tensor | null,
): tf.Tensor3D {
  const g = geometry(q, heads, bias);
  const inputs: tf.Tensor[] = [q, k, v];
  const iBias = bias ? inputs.push(bias) - 1 : -1;
  const iMask = mask ? inputs.push(mask) - 1 : -1;
  const op = tf.customGrad((...args: unknown[]) => {
    const [qs, ks, vs] = (args.slice(0, 3) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array);
    const ms = iMask >= 0 ? ((args[iMask] as tf.Tensor).dataSync() as Float32Array) : null;
    const f = forward(g, qs, ks, vs, ms);
    return {
      value: tf.tensor3d(f.ctx, [g.B, g.T, g.D]),
      gradFunc: (dy: tf.Tensor) => {
        const r = backward(g, qs, ks, vs, ms, f.P, dy.dataSync() as Float32Array);
        const grads: tf.Tensor[] = [r.dq, r.dk, r.dv].map((d) => tf.tensor3d(d, [g.B, g.T, g.D]));
        if (iBias >= 0) grads.push(tf.zerosLike(args[iBias] as tf.Tensor));
        if (iMask >= 0) grads.push(tf.zerosLike(args[iMask] as tf.Tensor));
        return grads;
      },
    };
  });
  return op(...inputs) as tf.Tensor3D;
}
