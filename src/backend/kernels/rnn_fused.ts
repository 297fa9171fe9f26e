/**
 * The fused recurrent engine: whole-sequence forward and BPTT backward on Float32Arrays, with
 * every matrix product on the wasm sgemm. Layout inside is time-major (row t*B + b) so each
 * step's rows are contiguous and the weight gradients are single products over all timesteps:
 *   forward:  XP[T*B, G*U] = Xt·W + b   (one sgemm),  per step REC = h·U (+ rb), gate math
 *   backward: per step dh_{t-1} = dGr_t·U^T + direct,  then dW = Xt^T·dGx, dU = Hprev^T·dGr,
 *             dXt = dGx·W^T (three sgemms), db / drb = column sums.
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

/** What the backward pass keeps from the forward one (plain arrays, no tensors). */
export interface SeqSaved {
  /** h_{t-1} per step, time-major [T, B, U] */
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

const stepTime = (s: number, T: number, back: boolean): number => (back ? T - 1 - s : s);

function maskRow(mask: ArrayLike<number> | null, t: number, B: number, T: number, row: Float32Array): Float32Array | null {
  if (!mask) return null;
  for (let b = 0; b < B; b++) row[b] = mask[b * T + t];
  return row;
}

/** x [B,T,D] -> heap at p as time-major [T,B,D]. */
function putTimeMajor(x: Float32Array, B: number, T: number, D: number): number {
  const p = wasm.alloc(B * T * D);
  const h = wasm.heap();
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) h.set(x.subarray((b * T + t) * D, (b * T + t + 1) * D), (p >> 2) + (t * B + b) * D);
  }
  return p;
}

/**
 * Runs the sequence. Returns packed = [outputs [B,T,U] | h [B,U] | c [B,U]] flat, outputs[:, t]
 * in original time order.
 */
export function seqForward(a: SeqInputs): { packed: Float32Array; saved: SeqSaved } {
  const { cell, B, T, D, U } = a;
  const GU = cell.G * U, N = T * B, S = cell.S, BU = B * U;
  const mk = wasm.mark();
  const pX = putTimeMajor(a.x, B, T, D);
  const pW = wasm.put(a.W);
  const pUr = wasm.put(a.Ur);
  const pB = wasm.put(a.bias);
  const pRb = a.rbias ? wasm.put(a.rbias) : 0;
  const pXP = wasm.alloc(N * GU);
  const pREC = wasm.alloc(B * GU);
  const pH = wasm.alloc(BU);
  const pC = cell.hasC ? wasm.alloc(BU) : 0;
  const pSV = wasm.alloc(N * S * U);
  const pM = a.mask ? wasm.alloc(B) : 0;
  let heap = wasm.heap();
  const h = pH >> 2, c = pC >> 2;
  if (a.h0) heap.set(a.h0, h);
  else heap.fill(0, h, h + BU);
  if (pC && a.c0) heap.set(a.c0, c);
  else if (pC) heap.fill(0, c, c + BU);

  wasm.gemm(N, GU, D, pX, false, pW, false, pXP);
  wasm.addBias(N, GU, pXP, pB);

  const HP = new Float32Array(N * U);
  const CP = pC ? new Float32Array(N * U) : null;
  const packed = new Float32Array((T + nStates(cell)) * BU);
  const prevOut = new Float32Array(BU); // Keras: zeros before the first unmasked step
  const row = new Float32Array(B);
  for (let s = 0; s < T; s++) {
    const t = stepTime(s, T, a.goBackwards);
    heap = wasm.heap();
    HP.set(heap.subarray(h, h + BU), t * BU);
    if (CP) CP.set(heap.subarray(c, c + BU), t * BU);
    const m = maskRow(a.mask, t, B, T, row);
    if (m) heap.set(m, pM >> 2);
    wasm.gemm(B, GU, U, pH, false, pUr, false, pREC);
    if (a.rbias) wasm.addBias(B, GU, pREC, pRb);
    cell.forward({ xp: pXP + t * B * GU * 4, rec: pREC, h: pH, c: pC, sv: pSV + t * B * S * U * 4, mask: pM, B, U });
    heap = wasm.heap();
    for (let b = 0; b < B; b++) {
      const o = (b * T + t) * U;
      if (m && m[b] === 0) {
        packed.set(prevOut.subarray(b * U, (b + 1) * U), o);
      } else {
        const hr = heap.subarray(h + b * U, h + (b + 1) * U);
        packed.set(hr, o);
        prevOut.set(hr, b * U);
      }
    }
  }
  heap = wasm.heap();
  packed.set(heap.subarray(h, h + BU), T * BU);
  if (pC) packed.set(heap.subarray(c, c + BU), (T + 1) * BU);
  const saved: SeqSaved = { HP, CP, SV: wasm.take(pSV, N * S * U) };
  wasm.release(mk);
  return { packed, saved };
}

function colSums(heap: Float32Array, off: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(cols);
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = off + r * cols;
    for (let j = 0; j < cols; j++) acc[j] += heap[o + j];
  }
  out.set(acc);
  return out;
}

/** BPTT. dPacked: dL/d(packed output), laid out as seqForward's packed. */
export function seqBackward(a: SeqInputs, saved: SeqSaved, dPacked: Float32Array): SeqGrads {
  const { cell, B, T, D, U } = a;
  const GU = cell.G * U, N = T * B, S = cell.S;
  const mk = wasm.mark();
  const pX = putTimeMajor(a.x, B, T, D);
  const pW = wasm.put(a.W);
  const pUr = wasm.put(a.Ur);
  const pGX = wasm.alloc(N * GU);
  const pGR = a.rbias ? wasm.alloc(N * GU) : pGX; // only the GRU's differ
  const pDH = wasm.alloc(B * U);
  const pHP = wasm.alloc(N * U);
  const pdW = wasm.alloc(D * GU);
  const pdUr = wasm.alloc(U * GU);
  const pdX = wasm.alloc(N * D);
  let heap = wasm.heap();
  heap.fill(0, pGX >> 2, (pGX >> 2) + N * GU);
  if (pGR !== pGX) heap.fill(0, pGR >> 2, (pGR >> 2) + N * GU);

  const dh = dPacked.slice(T * B * U, (T + 1) * B * U);
  const dc = cell.hasC ? dPacked.slice((T + 1) * B * U, (T + 2) * B * U) : null;
  const carry = new Float32Array(B * U); // dL/d(previous output) through masked steps
  const dhd = new Float32Array(B * U);
  const row = new Float32Array(B);
  for (let s = T - 1; s >= 0; s--) {
    const t = stepTime(s, T, a.goBackwards);
    const m = maskRow(a.mask, t, B, T, row);
    for (let b = 0; b < B; b++) {
      const on = !m || m[b] !== 0;
      const o = (b * T + t) * U;
      for (let j = 0, k = b * U; j < U; j++, k++) {
        const g = dPacked[o + j] + carry[k];
        if (on) { dh[k] += g; carry[k] = 0; } else carry[k] = g;
      }
    }
    dhd.fill(0);
    heap = wasm.heap();
    cell.backward({
      heap, gxOff: (pGX >> 2) + t * B * GU, grOff: (pGR >> 2) + t * B * GU, dh, dc, dhd,
      sv: saved.SV, svOff: t * B * S * U,
      hp: saved.HP.subarray(t * B * U, (t + 1) * B * U),
      cp: saved.CP ? saved.CP.subarray(t * B * U, (t + 1) * B * U) : null,
      m, B, U,
    });
    if (m) {
      for (let b = 0; b < B; b++) if (m[b] === 0) dhd.set(dh.subarray(b * U, (b + 1) * U), b * U);
    }
    wasm.gemm(B, U, GU, pGR + t * B * GU * 4, false, pUr, true, pDH); // [B,GU]·[U,GU]^T
    heap = wasm.heap();
    const d = pDH >> 2;
    for (let k = 0; k < B * U; k++) dh[k] = heap[d + k] + dhd[k];
  }

  heap = wasm.heap();
  heap.set(saved.HP, pHP >> 2);
  wasm.gemm(D, GU, N, pX, true, pGX, false, pdW); // Xt^T·dGx
  wasm.gemm(U, GU, N, pHP, true, pGR, false, pdUr); // Hprev^T·dGr
  wasm.gemm(N, D, GU, pGX, false, pW, true, pdX); // dGx·W^T, time-major
  heap = wasm.heap();
  const dx = new Float32Array(B * T * D);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const src = (pdX >> 2) + (t * B + b) * D;
      dx.set(heap.subarray(src, src + D), (b * T + t) * D);
    }
  }
  const grads: SeqGrads = {
    dx,
    dW: wasm.take(pdW, D * GU),
    dUr: wasm.take(pdUr, U * GU),
    dBias: colSums(heap, pGX >> 2, N, GU),
    dRbias: a.rbias ? colSums(heap, pGR >> 2, N, GU) : null,
    dh0: dh,
    dc0: dc,
  };
  wasm.release(mk);
  return grads;
}
