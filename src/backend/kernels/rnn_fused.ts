/**
 * The fused recurrent engine: whole-sequence forward and BPTT backward in wasm memory, with every
 * matrix product on the wasm sgemm and the gate math in wasm SIMD (rnn_cells.ts). Inside, rows
 * are in step order (row s*B + b holds batch row b at step s; step s reads time T-1-s when
 * goBackwards), so each step's rows are contiguous and the weight gradients are single products
 * over all steps:
 *   forward:  XP[T*B, G*U] = Xs·W + b (one sgemm); per step REC = h·U (+ rb) with U packed once
 *             for the whole sequence, then the gate math writes h (and c) into the next slot of
 *             H [T+1, B, U] (C), so H[0..T-1] are the h_{t-1} that backward needs
 *   backward: per step the gate gradients, then dh_{t-1} = dGr·U^T + direct (U^T packed once);
 *             after the loop dW = Xs^T·dGx, dU = H^T·dGr, dXs = dGx·W^T, db / drb = column sums.
 * Masked rows (mask 0) skip the cell, carry h (and c) and repeat the previous output.
 */
import type { Cell } from './rnn_cells.js';
import * as wasm from './wasm.js';

export interface SeqInputs {
  cell: Cell;
  /** x [B, T, D] batch-major, as the tensor stores it */
  x: Float32Array;
  B: number; T: number; D: number; U: number;
  /** kernel [D, G*U], recurrentKernel [U, G*U], bias [G*U], recurrentBias [G*U] or null */
  W: Float32Array;
  Ur: Float32Array;
  bias: Float32Array;
  rbias: Float32Array | null;
  /** [B, T] 0/1 or null */
  mask: ArrayLike<number> | null;
  /** initial h, c [B, U] or null for zeros */
  h0: ArrayLike<number> | null;
  c0: ArrayLike<number> | null;
  goBackwards: boolean;
}

/** What the backward pass keeps from the forward one (plain arrays, no tensors), in step order. */
export interface SeqSaved {
  /** h_{t-1} per step [T, B, U] */
  HP: Float32Array;
  /** c_{t-1} per step (LSTM) */
  CP: Float32Array | null;
  /** cell activations per step [T, B, S*U] */
  SV: Float32Array;
}

export interface SeqGrads {
  dx: Float32Array; dW: Float32Array; dUr: Float32Array; dBias: Float32Array;
  dRbias: Float32Array | null; dh0: Float32Array; dc0: Float32Array | null;
}

/** Number of state slots packed after the T outputs: [h] or [h, c]. */
export const nStates = (cell: Cell): number => (cell.hasC ? 2 : 1);

const timeOf = (s: number, T: number, back: boolean): number => (back ? T - 1 - s : s);

/** x [B,T,D] -> a new arena block [T,B,D] in step order. */
function putSteps(x: Float32Array, B: number, T: number, D: number, back: boolean): number {
  const p = wasm.alloc(B * T * D);
  const h = wasm.heap();
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, back);
    for (let b = 0; b < B; b++) h.set(x.subarray((b * T + t) * D, (b * T + t + 1) * D), (p >> 2) + (s * B + b) * D);
  }
  return p;
}

/** mask [B,T] -> a new arena block [T,B] in step order (0 when there is no mask). */
function putMask(mask: ArrayLike<number> | null, B: number, T: number, back: boolean): number {
  if (!mask) return 0;
  const p = wasm.alloc(T * B);
  const h = wasm.heap();
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, back);
    for (let b = 0; b < B; b++) h[(p >> 2) + s * B + b] = mask[b * T + t];
  }
  return p;
}

/** A new arena block of n floats holding src, or zeros. */
function putOrZero(src: ArrayLike<number> | null, n: number): number {
  const p = wasm.alloc(n);
  if (src) wasm.heap().set(src, p >> 2);
  else wasm.heap().fill(0, p >> 2, (p >> 2) + n);
  return p;
}

/**
 * Runs the sequence. Returns packed = [outputs [B,T,U] | h [B,U] | c [B,U]] flat, outputs[:, t]
 * in original time order, and, when `save`, what seqBackward needs.
 */
export function seqForward(a: SeqInputs, save = true): { packed: Float32Array; saved: SeqSaved | null } {
  const { cell, B, T, D, U } = a;
  const GU = cell.G * U, N = T * B, S = cell.S, BU = B * U;
  const back = a.goBackwards;
  const mk = wasm.mark();
  const pX = putSteps(a.x, B, T, D, back);
  const pW = wasm.put(a.W);
  const pB = wasm.put(a.bias);
  const pRb = a.rbias ? wasm.put(a.rbias) : 0;
  const pUp = wasm.packB(U, GU, wasm.put(a.Ur), false);
  const pM = putMask(a.mask, B, T, back);
  const pXP = wasm.alloc(N * GU);
  const pREC = wasm.alloc(B * GU);
  const pH = wasm.alloc((T + 1) * BU); // H[s] = state before step s
  const pC = cell.hasC ? wasm.alloc((T + 1) * BU) : 0;
  const pSV = wasm.alloc(N * S * U);
  wasm.heap().set(a.h0 ?? new Float32Array(BU), pH >> 2);
  if (pC) wasm.heap().set(a.c0 ?? new Float32Array(BU), pC >> 2);

  wasm.gemm(N, GU, D, pX, false, pW, false, pXP);
  wasm.addBias(N, GU, pXP, pB);
  for (let s = 0; s < T; s++) {
    const hs = pH + s * BU * 4, cs = pC + s * BU * 4;
    wasm.gemmPacked(B, GU, U, hs, false, pUp, pREC);
    if (pRb) wasm.addBias(B, GU, pREC, pRb);
    cell.forward({
      xp: pXP + s * B * GU * 4, rec: pREC, hIn: hs, hOut: hs + BU * 4, cIn: cs, cOut: pC ? cs + BU * 4 : 0,
      sv: pSV + s * B * S * U * 4, mask: pM ? pM + s * B * 4 : 0, B, U,
    });
  }

  // outputs [B, T, U] in time order; a masked step repeats the previous output (zeros at first)
  const heap = wasm.heap();
  const packed = new Float32Array((T + nStates(cell)) * BU);
  const h = pH >> 2, m = pM >> 2;
  for (let b = 0; b < B; b++) {
    let last = -1; // step whose output row b repeats
    for (let s = 0; s < T; s++) {
      if (!pM || heap[m + s * B + b] !== 0) last = s;
      if (last < 0) continue;
      const src = h + (last + 1) * BU + b * U;
      packed.set(heap.subarray(src, src + U), (b * T + timeOf(s, T, back)) * U);
    }
  }
  packed.set(heap.subarray(h + T * BU, h + (T + 1) * BU), T * BU);
  if (pC) packed.set(heap.subarray((pC >> 2) + T * BU, (pC >> 2) + (T + 1) * BU), (T + 1) * BU);
  const saved: SeqSaved | null = save
    ? { HP: wasm.take(pH, N * U), CP: pC ? wasm.take(pC, N * U) : null, SV: wasm.take(pSV, N * S * U) }
    : null;
  wasm.release(mk);
  return { packed, saved };
}

/** BPTT. dPacked: dL/d(packed output), laid out as seqForward's packed. */
export function seqBackward(a: SeqInputs, saved: SeqSaved, dPacked: Float32Array): SeqGrads {
  const { cell, B, T, D, U } = a;
  const GU = cell.G * U, N = T * B, S = cell.S, BU = B * U;
  const back = a.goBackwards;
  const mk = wasm.mark();
  const pX = putSteps(a.x, B, T, D, back);
  const pW = wasm.put(a.W);
  const pUt = wasm.packB(GU, U, wasm.put(a.Ur), true); // U^T [GU, U]
  const pM = putMask(a.mask, B, T, back);
  const pHP = wasm.put(saved.HP);
  const pCP = saved.CP ? wasm.put(saved.CP) : 0;
  const pSV = wasm.put(saved.SV);
  const pGX = wasm.alloc(N * GU);
  const pGR = a.rbias ? wasm.alloc(N * GU) : pGX; // only the GRU's differ
  let pDH = putOrZero(dPacked.subarray(T * BU, (T + 1) * BU), BU);
  let pDHD = wasm.alloc(BU);
  const pDC = cell.hasC ? putOrZero(dPacked.subarray((T + 1) * BU, (T + 2) * BU), BU) : 0;
  const carry = a.mask ? new Float32Array(BU) : null; // dL/d(previous output) through masked steps

  for (let s = T - 1; s >= 0; s--) {
    const t = timeOf(s, T, back);
    // this step's output gradient joins dh (or, on a masked row, the output it repeated)
    const heap = wasm.heap();
    const dh = pDH >> 2;
    for (let b = 0; b < B; b++) {
      const o = (b * T + t) * U, k = dh + b * U;
      if (!carry) {
        for (let j = 0; j < U; j++) heap[k + j] += dPacked[o + j];
        continue;
      }
      const on = heap[(pM >> 2) + s * B + b] !== 0;
      for (let j = 0, c = b * U; j < U; j++, c++) {
        const g = dPacked[o + j] + carry[c];
        if (on) {
          heap[k + j] += g;
          carry[c] = 0;
        } else carry[c] = g;
      }
    }
    const gr = pGR + s * B * GU * 4;
    cell.backward({
      gx: pGX + s * B * GU * 4, gr, dh: pDH, dc: pDC, dhd: pDHD, sv: pSV + s * B * S * U * 4,
      hp: pHP + s * BU * 4, cp: pCP ? pCP + s * BU * 4 : 0, mask: pM ? pM + s * B * 4 : 0, B, U,
    });
    wasm.gemmPacked(B, U, GU, gr, false, pUt, pDHD, { accumulate: true }); // dh_{t-1}
    [pDH, pDHD] = [pDHD, pDH];
  }

  const pdW = wasm.alloc(D * GU);
  const pdUr = wasm.alloc(U * GU);
  const pdX = wasm.alloc(N * D);
  wasm.gemm(D, GU, N, pX, true, pGX, false, pdW); // Xs^T·dGx
  wasm.gemm(U, GU, N, pHP, true, pGR, false, pdUr); // H^T·dGr
  wasm.gemm(N, D, GU, pGX, false, pW, true, pdX); // dGx·W^T, step order
  const heap = wasm.heap();
  const dx = new Float32Array(B * T * D);
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, back);
    for (let b = 0; b < B; b++) {
      const src = (pdX >> 2) + (s * B + b) * D;
      dx.set(heap.subarray(src, src + D), (b * T + t) * D);
    }
  }
  const grads: SeqGrads = {
    dx,
    dW: wasm.take(pdW, D * GU),
    dUr: wasm.take(pdUr, U * GU),
    dBias: wasm.colSums(N, GU, pGX),
    dRbias: a.rbias ? wasm.colSums(N, GU, pGR) : null,
    dh0: wasm.take(pDH, BU),
    dc0: pDC ? wasm.take(pDC, BU) : null,
  };
  wasm.release(mk);
  return grads;
}
