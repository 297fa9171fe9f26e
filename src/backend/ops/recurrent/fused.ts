/**
 * The fused recurrent engine: whole-sequence forward and BPTT backward in wasm memory, with every
 * matrix product on the wasm sgemm and the gate math in wasm SIMD (cells.ts). The timestep
 * loops run in wasm (wasm/seq_loop.ts), one slice of batch rows per thread. Inside, rows
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
import { runtime, type Held } from '../../runtime.js';
import { KIND } from '../../wasm/interface.js';
import * as wasm from '../../wasm/index.js';
import { nStates, type CellSpec } from './cells.js';
import { cachedWeights } from './weights.js';

export interface SeqInputs {
  cell: CellSpec;
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
  /** only the final states are wanted: packed holds [h | c] alone (a layer without returnSequences) */
  statesOnly?: boolean;
}

/**
 * What the backward pass keeps from the forward one: pinned wasm blocks, in step order, held by
 * the runtime until the backward pass releases them (or the gradient tape ends without one).
 */
export interface SeqSaved {
  /** H [T+1, B, U]: H[s] = h_{t-1} of step s */
  pH: number;
  /** C likewise (LSTM), else 0 */
  pC: number;
  /** cell activations per step [T, B, S*U] */
  pSV: number;
  held: Held;
}

function pinSaved(n: { H: number; C: number; SV: number }): SeqSaved {
  const held = runtime().holdForBackward([n.H, n.C, n.SV]);
  const [pH, pC, pSV] = held.ptrs;
  return { pH, pC, pSV, held };
}

export interface SeqGrads {
  dx: Float32Array; dW: Float32Array; dUr: Float32Array; dBias: Float32Array;
  dRbias: Float32Array | null; dh0: Float32Array; dc0: Float32Array | null;
}

const timeOf = (s: number, T: number, back: boolean): number => (back ? T - 1 - s : s);

/** x [B,T,D] -> a new arena block [T,B,D] in step order. */
function putSteps(x: Float32Array, B: number, T: number, D: number, back: boolean): number {
  const p = wasm.alloc(B * T * D);
  const mk = wasm.mark();
  wasm.gates().toSteps(B, T, D, wasm.put(x), p, +back); // the batch-major copy is scratch above p
  wasm.release(mk);
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
 * Runs a wasm timestep loop (wasm/seq_loop.ts) for every batch row: one slice of rows per thread,
 * each running all T steps (rows never interact), so there is no hand-off per step. params: the
 * loop's i32 argument block.
 */
function runSteps(kind: number, B: number, params: number[], work: number): void {
  const mk = wasm.mark();
  const p = wasm.alloc(params.length);
  new Int32Array(wasm.heap().buffer, p, params.length).set(params);
  const parts = wasm.chunks(B, wasm.activeThreads());
  const w = parts.length > 1 ? work : 0;
  const rt = runtime();
  rt.tuner.timed(w, rt.pool.ready() > 0, () => wasm.runKernelJobs(kind, parts.map(([b0, b1]) => [b0, b1, p]), w));
  wasm.release(mk);
}

/**
 * Runs the sequence. Returns packed = [outputs [B,T,U] | h [B,U] | c [B,U]] flat, outputs[:, t]
 * in original time order, and, when `save`, what seqBackward needs.
 */
export function seqForward(a: SeqInputs, save = true): { packed: Float32Array; saved: SeqSaved | null } {
  const { cell, B, T, D, U } = a;
  const GU = cell.G * U, N = T * B, S = cell.S, BU = B * U;
  const back = a.goBackwards;
  // what backward needs is pinned (first, while the stack is empty); the rest is scratch
  const saved = save ? pinSaved({ H: (T + 1) * BU, C: cell.hasC ? (T + 1) * BU : 0, SV: N * S * U }) : null;
  // inference (generation: one token at a time) reuses the weights' wasm copies; training copies them
  const cached = save ? null : cachedWeights(a.W, a.Ur, a.bias, a.rbias, U, GU);
  const mk = wasm.mark();
  const pX = putSteps(a.x, B, T, D, back);
  const pB = cached ? cached.pB : wasm.put(a.bias);
  const pRb = cached ? cached.pRb : a.rbias ? wasm.put(a.rbias) : 0;
  const pUp = cached ? cached.pUp : wasm.packB(U, GU, wasm.put(a.Ur), false);
  const pM = putMask(a.mask, B, T, back);
  const pXP = wasm.alloc(N * GU);
  const pREC = wasm.alloc(B * GU);
  const pH = saved ? saved.pH : wasm.alloc((T + 1) * BU); // H[s] = state before step s
  const pC = saved ? saved.pC : cell.hasC ? wasm.alloc((T + 1) * BU) : 0;
  const pSV = saved ? saved.pSV : wasm.alloc(N * S * U);
  wasm.heap().set(a.h0 ?? new Float32Array(BU), pH >> 2);
  if (pC) wasm.heap().set(a.c0 ?? new Float32Array(BU), pC >> 2);

  if (cached) wasm.gemmPacked(N, GU, D, pX, false, cached.pWp, pXP);
  else wasm.gemm(N, GU, D, pX, false, wasm.put(a.W), false, pXP);
  wasm.addBias(N, GU, pXP, pB);
  runSteps(KIND.seqForwardRows, B, [cell.kind, B, T, U, cell.G, S, +back, pXP, pUp, pRb, pH, pC, pSV, pM, pREC], T * B * GU * U);

  // [outputs [B, T, U] in time order (a masked step repeats the previous output) | h | c],
  // or [h | c] alone
  const To = a.statesOnly ? 0 : T;
  const pOut = wasm.alloc((To + nStates(cell)) * BU);
  if (!a.statesOnly) wasm.gates().seqOutputs(B, T, U, pH, pM, +back, pOut);
  const heap = wasm.heap();
  heap.copyWithin((pOut >> 2) + To * BU, (pH >> 2) + T * BU, (pH >> 2) + (T + 1) * BU);
  if (pC) heap.copyWithin((pOut >> 2) + (To + 1) * BU, (pC >> 2) + T * BU, (pC >> 2) + (T + 1) * BU);
  const packed = wasm.take(pOut, (To + nStates(cell)) * BU);
  wasm.release(mk);
  return { packed, saved };
}

/** Row blocks the weight gradients' products are cut into: a few per thread. */
const ROW_BLOCKS = 4;
/** Input features up to which dXs = dGx·Wᵀ runs on gemmRows (A read in place, 16-float columns) instead of the sgemm. */
const NARROW = 16;

/**
 * After the timestep loop, three products over all N = T·B rows (new arena blocks):
 *   dW = Xsᵀ·dGx [D, GU], dU = Hᵀ·dGr [U, GU], dXs = dGx·Wᵀ [N, D] (step order).
 * The first two sum over the rows, which are far more than their outputs (a small layer's
 * products are [64, 192] over 6144 rows): each is cut along the rows into ROW_BLOCKS partial
 * products, added after, rather than into blocks of output columns that would each pack all of
 * Xs or H again; they are sgemm jobs of one hand-off, so the threads share them however the OS
 * runs them. dXs goes by blocks of rows too; with few input features (a forecaster's D = 8) on
 * gemmRows, as the sgemm's 32-column tiles would be mostly padding.
 */
function weightGrads(g: { N: number; D: number; U: number; GU: number; pX: number; pGX: number; pHP: number; pGR: number; W: Float32Array }) {
  const { N, D, U, GU, pX, pGX, pHP, pGR, W } = g;
  const parts = wasm.chunks(N, ROW_BLOCKS);
  const pdW = wasm.alloc(parts.length * D * GU), pdUr = wasm.alloc(parts.length * U * GU), pdX = wasm.alloc(N * D);
  const narrow = D <= NARROW;
  const pW = narrow ? putPaddedT(W, D, GU) : wasm.put(W);
  const sgemm = (M: number, Nc: number, K: number, a: number, lda: number, transA: number, b: number, ldb: number, transB: number, c: number, ldc: number) =>
    [M, Nc, K, 1, a, lda, transA, b, ldb, transB, 0, c, ldc];
  const jobs = parts.flatMap(([r0, r1], j) => [
    sgemm(U, GU, r1 - r0, pHP + r0 * U * 4, U, 1, pGR + r0 * GU * 4, GU, 0, pdUr + j * U * GU * 4, GU), // Hᵀ·dGr, rows r0…r1
    sgemm(D, GU, r1 - r0, pX + r0 * D * 4, D, 1, pGX + r0 * GU * 4, GU, 0, pdW + j * D * GU * 4, GU), // Xsᵀ·dGx
    ...(narrow ? [] : [sgemm(r1 - r0, D, GU, pGX + r0 * GU * 4, GU, 0, pW, GU, 1, pdX + r0 * D * 4, D)]), // dGx·Wᵀ
  ]);
  const rt = runtime(), ready = rt.pool.ready() > 0;
  const run = (kind: number, js: number[][], work: number) => rt.tuner.timed(work, ready, () => wasm.runKernelJobs(kind, js, work));
  run(KIND.sgemm, jobs, N * GU * (2 * D + U));
  if (narrow) run(KIND.gemmRows, parts.map(([r0, r1]) => [r0, r1, D, GU, pGX, GU, pW, pdX, D]), N * GU * D);
  const add = wasm.elementwise().addArrays;
  for (let j = 1; j < parts.length; j++) {
    add(D * GU, pdW, pdW + j * D * GU * 4, pdW);
    add(U * GU, pdUr, pdUr + j * U * GU * 4, pdUr);
  }
  return { pdW, pdUr, pdX };
}

/** Wᵀ [GU, D] of W [D, GU] with its rows padded to 16 floats (zeros), as gemmRows reads B: a new arena block. */
function putPaddedT(W: Float32Array, D: number, GU: number): number {
  const Dp = Math.ceil(D / 16) * 16;
  const p = wasm.alloc(GU * Dp), o = p >> 2, h = wasm.heap();
  h.fill(0, o, o + GU * Dp);
  for (let d = 0; d < D; d++) for (let j = 0; j < GU; j++) h[o + j * Dp + d] = W[d * GU + j];
  return p;
}

/** BPTT. dPacked: dL/d(packed output), laid out as seqForward's packed (statesOnly too). */
export function seqBackward(a: SeqInputs, saved: SeqSaved, dPacked: Float32Array): SeqGrads {
  if (!saved.held.live) throw new Error('fused recurrent op: its gradient can be taken once');
  const { cell, B, T, D, U } = a;
  const GU = cell.G * U, N = T * B, S = cell.S, BU = B * U;
  const back = a.goBackwards;
  const mk = wasm.mark();
  const pX = putSteps(a.x, B, T, D, back);
  const pUt = wasm.packB(GU, U, wasm.put(a.Ur), true); // U^T [GU, U]
  const pM = putMask(a.mask, B, T, back);
  const { pH: pHP, pC: pCP, pSV } = saved;
  const pGX = wasm.alloc(N * GU);
  const pGR = a.rbias ? wasm.alloc(N * GU) : pGX; // only the GRU's differ
  // [dL/d outputs [B, T, U] | dL/dh | dL/dc]; no outputs, no gradient through them
  const To = a.statesOnly ? 0 : T;
  const pDout = a.statesOnly ? putOrZero(null, T * BU) : wasm.put(dPacked.subarray(0, T * BU));
  let pDH = putOrZero(dPacked.subarray(To * BU, (To + 1) * BU), BU);
  let pDHD = wasm.alloc(BU);
  const pDC = cell.hasC ? putOrZero(dPacked.subarray((To + 1) * BU, (To + 2) * BU), BU) : 0;
  const pCarry = pM ? putOrZero(null, BU) : 0; // dL/d(previous output) through masked steps

  const params = [cell.kind, B, T, U, cell.G, S, +back, pGX, pGR, pUt, pDout, pDH, pDHD, pDC, pCarry, pHP, pCP, pSV, pM];
  runSteps(KIND.seqBackwardRows, B, params, T * B * GU * U);
  if (T % 2 === 1) [pDH, pDHD] = [pDHD, pDH]; // dh and dhd swap roles every step

  const { pdW, pdUr, pdX } = weightGrads({ N, D, U, GU, pX, pGX, pHP, pGR, W: a.W });
  const pdx = wasm.alloc(N * D);
  wasm.gates().fromSteps(B, T, D, pdX, pdx, +back);
  const grads: SeqGrads = {
    dx: wasm.take(pdx, N * D),
    dW: wasm.take(pdW, D * GU),
    dUr: wasm.take(pdUr, U * GU),
    dBias: wasm.colSums(N, GU, pGX),
    dRbias: a.rbias ? wasm.colSums(N, GU, pGR) : null,
    dh0: wasm.take(pDH, BU),
    dc0: pDC ? wasm.take(pDC, BU) : null,
  };
  wasm.release(mk);
  saved.held.release();
  return grads;
}
