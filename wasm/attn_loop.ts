// The per-(batch row, head) loops of the fused attention op (src/backend/kernels/attention.ts),
// for the batch rows [b0, b1): a range is one job, so the worker threads can each take some.
// qkv [B, T, 3D] holds q | k | v per row (head h owns dimensions h·dh … of each); ctx and dctx
// are [B, T, D]; P, Pd, dP [B, H, T, T]; bias rows broadcast with strides biasB (per batch row)
// and biasQ (per query), 0 = none; mask [B, Tq, H, Tk] is a dropout multiplier, 0 = none.
// Every pointer is a byte offset; ws is this thread's sgemm workspace.

import { sgemm } from './sgemm';
import { mulRows, softmaxGradRows, softmaxRows } from './attention';

// Causal attention runs in blocks of RB query rows: block [r0, r1) only needs keys [0, r1), so
// about 5/8 of the products at T = 64; each row's softmax covers its own keys, the rest are 0.
const RB = 16;

// @ts-ignore: decorator
@inline
function zeroCols(rows: i32, from: i32, to: i32, ld: i32, p: usize): void {
  if (to > from) for (let r = 0; r < rows; r++) memory.fill(p + <usize>((r * ld + from) * 4), 0, <usize>((to - from) * 4));
}

/**
 * P = softmax(q·kᵀ/√dh + bias), ctx = (P ⊙ mask)·v, the masked P going to Pd. hc = H, plus
 * 1 << 16 when causal: then each query sees only itself and earlier keys (the bias, if any, need
 * not hide the others), and the P of later keys is written as 0.
 */
export function attnForward(
  b0: i32, b1: i32, T: i32, D: i32, hc: i32, qkv: usize,
  bias: usize, biasB: i32, biasQ: i32, mask: usize, P: usize, Pd: usize, ctx: usize, ws: usize,
): void {
  const H = hc & 0xffff, causal = (hc >> 16) != 0;
  const dh = D / H, ld = 3 * D, TT = T * T;
  const scale = <f32>(1.0 / Math.sqrt(<f64>dh));
  const rb = causal ? RB : T;
  for (let b = b0; b < b1; b++) {
    for (let h = 0; h < H; h++) {
      const q = qkv + <usize>((b * T * ld + h * dh) * 4);
      const k = q + <usize>(D * 4), v = q + <usize>(2 * D * 4);
      const s = P + <usize>((b * H + h) * TT * 4);
      const pd = mask != 0 ? Pd + <usize>((b * H + h) * TT * 4) : s;
      for (let r0 = 0; r0 < T; r0 += rb) {
        const n = min(rb, T - r0), kc = causal ? r0 + n : T;
        const sr = s + <usize>(r0 * T * 4), pr = pd + <usize>(r0 * T * 4);
        sgemm(n, kc, dh, scale, q + <usize>(r0 * ld * 4), ld, false, k, ld, true, 0, sr, T, ws);
        const br = bias != 0 ? bias + <usize>((b * biasB + r0 * biasQ) * 4) : 0;
        if (!causal) softmaxRows(n, T, T, sr, br, biasQ);
        for (let r = 0; causal && r < n; r++) { // query r0 + r sees keys [0, r0 + r]
          softmaxRows(1, r0 + r + 1, T, sr + <usize>(r * T * 4), br != 0 ? br + <usize>(r * biasQ * 4) : 0, 0);
          zeroCols(1, r0 + r + 1, T, T, sr + <usize>(r * T * 4));
        }
        if (mask != 0) {
          mulRows(n, T, T, sr, mask + <usize>(((b * T + r0) * H + h) * T * 4), H * T, pr);
        }
        sgemm(n, dh, kc, 1, pr, T, false, v, ld, false, 0, ctx + <usize>(((b * T + r0) * D + h * dh) * 4), D, ws);
      }
    }
  }
}

/**
 * dqkv from dctx: dv = Pdᵀ·dctx, dPd = dctx·vᵀ, dP = dPd ⊙ mask, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 * dq = dS·k/√dh, dk = dSᵀ·q/√dh. Pd and dP are scratch of P's size (Pd unused without a mask);
 * hc as in attnForward (causal blocks accumulate dv and dk over the query blocks).
 */
export function attnBackward(
  b0: i32, b1: i32, T: i32, D: i32, hc: i32, qkv: usize,
  mask: usize, P: usize, Pd: usize, dP: usize, dctx: usize, dqkv: usize, ws: usize,
): void {
  const H = hc & 0xffff, causal = (hc >> 16) != 0;
  const dh = D / H, ld = 3 * D, TT = T * T;
  const scale = <f32>(1.0 / Math.sqrt(<f64>dh));
  const rb = causal ? RB : T;
  for (let b = b0; b < b1; b++) {
    for (let h = 0; h < H; h++) {
      const at = <usize>((b * H + h) * TT * 4);
      const p = P + at;
      const pd = mask != 0 ? Pd + at : p;
      if (mask != 0) mulRows(T, T, T, p, mask + <usize>((b * T * H + h) * T * 4), H * T, pd);
      const q = qkv + <usize>((b * T * ld + h * dh) * 4);
      const k = q + <usize>(D * 4), v = q + <usize>(2 * D * 4);
      const dq = dqkv + <usize>((b * T * ld + h * dh) * 4);
      const dk = dq + <usize>(D * 4), dv = dq + <usize>(2 * D * 4);
      const dc = dctx + <usize>((b * T * D + h * dh) * 4);
      const dp = dP + at;
      if (causal) {
        zeroCols(T, 0, dh, ld, dk);
        zeroCols(T, 0, dh, ld, dv);
      }
      for (let r0 = 0; r0 < T; r0 += rb) {
        const n = min(rb, T - r0), kc = causal ? r0 + n : T;
        const beta: f32 = causal ? 1 : 0;
        const o = <usize>(r0 * T * 4);
        const dcr = dc + <usize>(r0 * D * 4);
        sgemm(kc, dh, n, 1, pd + o, T, true, dcr, D, false, beta, dv, ld, ws); // dv += Pdᵀ·dctx
        sgemm(n, kc, dh, 1, dcr, D, false, v, ld, true, 0, dp + o, T, ws); // dPd = dctx·vᵀ
        if (mask != 0) mulRows(n, kc, T, dp + o, mask + <usize>(((b * T + r0) * H + h) * T * 4), H * T, dp + o);
        softmaxGradRows(n, kc, T, p + o, dp + o, dp + o); // dS
        sgemm(n, dh, kc, scale, dp + o, T, false, k, ld, false, 0, dq + <usize>(r0 * ld * 4), ld, ws);
        sgemm(kc, dh, n, scale, dp + o, T, true, q + <usize>(r0 * ld * 4), ld, false, beta, dk, ld, ws);
      }
    }
  }
}
