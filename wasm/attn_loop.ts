// The per-(batch row, head) loops of the fused attention op (src/backend/kernels/attention.ts),
// for the batch rows [b0, b1): a range is one job, so the worker threads can each take some.
// qkv [B, T, 3D] holds q | k | v per row (head h owns dimensions h·dh … of each); ctx and dctx
// are [B, T, D]; P, Pd, dP [B, H, T, T]; bias rows broadcast with strides biasB (per batch row)
// and biasQ (per query), 0 = none; mask [B, Tq, H, Tk] is a dropout multiplier, 0 = none.
// Every pointer is a byte offset; ws is this thread's sgemm workspace.

import { sgemm } from './sgemm';
import { mulRows, softmaxGradRows, softmaxRows } from './attention';

/** P = softmax(q·kᵀ/√dh + bias), ctx = (P ⊙ mask)·v, the masked P going to Pd. */
export function attnForward(
  b0: i32, b1: i32, T: i32, D: i32, H: i32, qkv: usize,
  bias: usize, biasB: i32, biasQ: i32, mask: usize, P: usize, Pd: usize, ctx: usize, ws: usize,
): void {
  const dh = D / H, ld = 3 * D, TT = T * T;
  const scale = <f32>(1.0 / Math.sqrt(<f64>dh));
  for (let b = b0; b < b1; b++) {
    for (let h = 0; h < H; h++) {
      const q = qkv + <usize>((b * T * ld + h * dh) * 4);
      const k = q + <usize>(D * 4), v = q + <usize>(2 * D * 4);
      const s = P + <usize>((b * H + h) * TT * 4);
      sgemm(T, T, dh, scale, q, ld, false, k, ld, true, 0, s, T, ws);
      softmaxRows(T, T, s, bias != 0 ? bias + <usize>(b * biasB * 4) : 0, biasQ);
      let pd = s;
      if (mask != 0) {
        pd = Pd + <usize>((b * H + h) * TT * 4);
        mulRows(T, T, s, mask + <usize>((b * T * H + h) * T * 4), H * T, pd);
      }
      sgemm(T, dh, T, 1, pd, T, false, v, ld, false, 0, ctx + <usize>((b * T * D + h * dh) * 4), D, ws);
    }
  }
}

/**
 * dqkv from dctx: dv = Pdᵀ·dctx, dPd = dctx·vᵀ, dP = dPd ⊙ mask, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 * dq = dS·k/√dh, dk = dSᵀ·q/√dh. Pd and dP are scratch of P's size (Pd unused without a mask).
 */
export function attnBackward(
  b0: i32, b1: i32, T: i32, D: i32, H: i32, qkv: usize,
  mask: usize, P: usize, Pd: usize, dP: usize, dctx: usize, dqkv: usize, ws: usize,
): void {
  const dh = D / H, ld = 3 * D, TT = T * T;
  const scale = <f32>(1.0 / Math.sqrt(<f64>dh));
  for (let b = b0; b < b1; b++) {
    for (let h = 0; h < H; h++) {
      const at = <usize>((b * H + h) * TT * 4);
      const p = P + at;
      const mrow = mask != 0 ? mask + <usize>((b * T * H + h) * T * 4) : 0;
      let pd = p;
      if (mask != 0) {
        pd = Pd + at;
        mulRows(T, T, p, mrow, H * T, pd);
      }
      const q = qkv + <usize>((b * T * ld + h * dh) * 4);
      const k = q + <usize>(D * 4), v = q + <usize>(2 * D * 4);
      const dq = dqkv + <usize>((b * T * ld + h * dh) * 4);
      const dk = dq + <usize>(D * 4), dv = dq + <usize>(2 * D * 4);
      const dc = dctx + <usize>((b * T * D + h * dh) * 4);
      const dp = dP + at;
      sgemm(T, dh, T, 1, pd, T, true, dc, D, false, 0, dv, ld, ws); // dv = Pdᵀ·dctx
      sgemm(T, T, dh, 1, dc, D, false, v, ld, true, 0, dp, T, ws); // dPd = dctx·vᵀ
      if (mask != 0) mulRows(T, T, dp, mrow, H * T, dp);
      softmaxGradRows(T, T, p, dp, dp); // dS
      sgemm(T, dh, T, scale, dp, T, false, k, ld, false, 0, dq, ld, ws);
      sgemm(T, dh, T, scale, dp, T, true, q, ld, false, 0, dk, ld, ws);
    }
  }
}
