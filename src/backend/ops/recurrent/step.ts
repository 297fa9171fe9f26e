/**
 * The fused path of recurrentStep (../recurrent.ts): one timestep of a recurrent layer at
 * inference, in wasm memory on the weights packed once (the runtime's weight cache): two
 * products and the cell's gate kernel, with no tensor or gradient node.
 */
import * as wasm from '../../wasm/index.js';
import { CELLS, type CellType } from './cells.js';
import { cachedWeights } from './weights.js';

/** A layer's weights as arrays: kernel [D, G·U], recurrentKernel [U, G·U], bias [G·U], recurrentBias [G·U] (GRU). */
export interface StepWeights {
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array;
  recurrentBias: Float32Array | null;
}

/** The fused step: x [B, D], state [h] or [h, c] (each [B, U]) → the new state. */
export function stepFused(cell: CellType, w: StepWeights, x: Float32Array, B: number, state: Float32Array[]): Float32Array[] {
  const spec = CELLS[cell];
  const U = state[0].length / B, GU = spec.G * U, D = x.length / B;
  const k = cachedWeights(w.kernel, w.recurrentKernel, w.bias, w.recurrentBias, U, GU);
  const m = wasm.mark();
  const px = wasm.put(x), ph = wasm.put(state[0]), pc = spec.hasC ? wasm.put(state[1]) : 0;
  const pxp = wasm.alloc(B * GU), prec = wasm.alloc(B * GU), psv = wasm.alloc(B * spec.S * U);
  const phOut = wasm.alloc(B * U), pcOut = spec.hasC ? wasm.alloc(B * U) : 0;
  wasm.gemmPacked(B, GU, D, px, false, k.pWp, pxp); // x·W
  wasm.addBias(B, GU, pxp, k.pB);
  wasm.gemmPacked(B, GU, U, ph, false, k.pUp, prec); // h·U
  const g = wasm.gates();
  if (spec.kind === 0) g.lstmForward(B, U, pxp, prec, ph, phOut, pc, pcOut, psv, 0);
  else if (spec.kind === 1) g.gruForward(B, U, pxp, prec, k.pRb, ph, phOut, psv, 0);
  else g.rnnForward(B, U, pxp, prec, ph, phOut, psv, 0);
  const out = [wasm.take(phOut, B * U), ...(spec.hasC ? [wasm.take(pcOut, B * U)] : [])];
  wasm.release(m);
  return out;
}

