/**
 * The recurrent sequence op: LSTM, GRU (reset_after) and Elman RNN, Keras gate orders.
 * In 'fast' mode (runtime.ts) each op is ONE tf.customGrad node (recurrent/fused.ts) whose forward
 * and BPTT run on Float32Arrays and the wasm sgemm; otherwise, and with a recurrent dropout mask,
 * the per-timestep reference of plain tf ops (recurrent/reference.ts) runs. Both have identical
 * semantics:
 *  - masking (Keras): where mask[b,t] == 0 the state carries over and the output repeats the
 *    previous output (zeros before the first unmasked step);
 *  - goBackwards consumes x[:, T-1..0] but outputs[:, t] is still indexed by original time.
 */
import { runtime } from '../runtime.js';
import { tf } from '../tf.js';
import { CELLS, nStates, type CellSpec, type CellType } from './recurrent/cells.js';
import { seqBackward, seqForward, type SeqInputs } from './recurrent/fused.js';
import { gruReference, lstmReference, simpleRnnReference } from './recurrent/reference.js';
import { stepFused, type StepWeights } from './recurrent/step.js';
import type { RnnOpts, RnnResult } from './recurrent/types.js';
import { tidyValues } from './values.js';

export { CELLS, GATES, nStates, type CellSpec, type CellType } from './recurrent/cells.js';
export type { RnnOpts, RnnResult } from './recurrent/types.js';
export type { StepWeights } from './recurrent/step.js';

function checkShapes(name: string, x: tf.Tensor, W: tf.Tensor, Ur: tf.Tensor, biases: tf.Tensor[], G: number, opts: RnnOpts): void {
  const U = Ur.shape[0];
  const ok =
    x.rank === 3 && W.rank === 2 && Ur.rank === 2 &&
    W.shape[0] === x.shape[2] && W.shape[1] === G * U && Ur.shape[1] === G * U &&
    biases.every((b) => b.rank === 1 && b.shape[0] === G * U);
  tf.util.assert(ok, () =>
    `${name}: expected x [B,T,D], kernel [D,${G}U], recurrentKernel [U,${G}U], bias [${G}U]; got ` +
    `x ${x.shape}, kernel ${W.shape}, recurrentKernel ${Ur.shape}, bias ${biases.map((b) => `[${b.shape}]`).join(' ')}`);
  const [B, T] = x.shape;
  if (opts.mask) {
    tf.util.assert(opts.mask.shape[0] === B && opts.mask.shape[1] === T, () => `${name}: mask must be [${B},${T}], got [${opts.mask?.shape}]`);
  }
  for (const s of opts.initialState ?? []) {
    tf.util.assert(s.shape[0] === B && s.shape[1] === U, () => `${name}: initial state must be [${B},${U}], got [${s.shape}]`);
  }
}

/** The fused op: one customGrad over [x, W, Ur, b, (rb), (mask), (h0), (c0)]. */
function fused(
  cell: CellSpec, x: tf.Tensor3D, W: tf.Tensor2D, Ur: tf.Tensor2D, bias: tf.Tensor1D,
  rbias: tf.Tensor1D | null, opts: RnnOpts, statesOnly = false,
): { outputs?: tf.Tensor3D; states: tf.Tensor2D[] } {
  const [B, T, D] = x.shape;
  const U = Ur.shape[0];
  const S = nStates(cell);
  const init = opts.initialState ?? [];
  const inputs: tf.Tensor[] = [x, W, Ur, bias];
  const at = (t: tf.Tensor | undefined): number => (t ? inputs.push(t) - 1 : -1);
  const iRb = at(rbias ?? undefined);
  const iMask = at(opts.mask);
  const iH0 = at(init[0]);
  const iC0 = cell.hasC ? at(init[1]) : -1;

  const op = tf.customGrad((...args: unknown[]) => {
    const ts = args.slice(0, inputs.length) as tf.Tensor[];
    const arr = (i: number): Float32Array | null => (i < 0 ? null : (ts[i].dataSync() as Float32Array));
    const a: SeqInputs = {
      cell, B, T, D, U,
      x: arr(0) as Float32Array, W: arr(1) as Float32Array, Ur: arr(2) as Float32Array, bias: arr(3) as Float32Array,
      rbias: arr(iRb), mask: arr(iMask), h0: arr(iH0), c0: arr(iC0),
      goBackwards: Boolean(opts.goBackwards),
      statesOnly,
    };
    // outside a gradient scope (inference) nothing can ask for the gradient: save nothing
    const { packed, saved } = seqForward(a, tf.engine().state.gradientDepth > 0);
    return {
      value: tf.tensor1d(packed),
      gradFunc: (dy: tf.Tensor) => {
        if (!saved) throw new Error('fused recurrent op: gradient requested outside the gradient scope it ran in');
        const g = seqBackward(a, saved, dy.dataSync() as Float32Array);
        const grads: tf.Tensor[] = [
          tf.tensor3d(g.dx, [B, T, D]), tf.tensor2d(g.dW, [D, cell.G * U]),
          tf.tensor2d(g.dUr, [U, cell.G * U]), tf.tensor1d(g.dBias),
        ];
        if (iRb >= 0) grads[iRb] = tf.tensor1d(g.dRbias as Float32Array);
        if (iMask >= 0) grads[iMask] = tf.zerosLike(ts[iMask]); // mask is data, not a parameter
        if (iH0 >= 0) grads[iH0] = tf.tensor2d(g.dh0, [B, U]);
        if (iC0 >= 0) grads[iC0] = tf.tensor2d(g.dc0 as Float32Array, [B, U]);
        return grads;
      },
    };
  });

  return tf.tidy(() => {
    // packed is 1-D so split is a contiguous copy and its gradient a cheap concat
    const packed = op(...inputs) as tf.Tensor1D; // [B*T*U | B*U h | B*U c], or [h | c] alone
    const states = new Array<number>(S).fill(B * U);
    if (statesOnly) {
      return { states: (S === 1 ? [packed] : tf.split(packed, states)).map((p) => tf.reshape(p, [B, U]) as tf.Tensor2D) };
    }
    const parts = tf.split(packed, [B * T * U, ...states]);
    return {
      outputs: tf.reshape(parts[0], [B, T, U]) as tf.Tensor3D,
      states: parts.slice(1).map((p) => tf.reshape(p, [B, U]) as tf.Tensor2D),
    };
  });
}

/** A recurrent layer's weights: kernel [D, G·U], recurrentKernel [U, G·U], bias [G·U], recurrentBias [G·U] (GRU only). */
export interface RecurrentWeights {
  kernel: tf.Tensor2D;
  recurrentKernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  recurrentBias?: tf.Tensor1D;
}

const OP_NAME: Record<CellType, string> = { lstm: 'lstmSequence', gru: 'gruSequence', rnn: 'simpleRnnSequence' };

/**
 * The sequence op of `cell` over x [B, T, D]: outputs [B, T, U] and states ([h, c] or [h], each
 * [B, U]). Fused in 'fast' mode without a recurrent dropout mask, else the per-timestep reference.
 */
export function recurrentSequence(cell: CellType, x: tf.Tensor3D, w: RecurrentWeights, opts: RnnOpts = {}): RnnResult {
  const spec = CELLS[cell];
  const rb = spec.hasRecurrentBias ? w.recurrentBias : undefined;
  tf.util.assert(!spec.hasRecurrentBias || rb !== undefined, () => `${OP_NAME[cell]}: the ${cell} cell needs its recurrent bias`);
  checkShapes(OP_NAME[cell], x, w.kernel, w.recurrentKernel, rb ? [w.bias, rb] : [w.bias], spec.G, opts);
  if (runtime().fast && !opts.recurrentMask) return fused(spec, x, w.kernel, w.recurrentKernel, w.bias, rb ?? null, opts) as RnnResult;
  switch (cell) {
    case 'lstm':
      return lstmReference(x, w.kernel, w.recurrentKernel, w.bias, opts);
    case 'gru':
      return gruReference(x, w.kernel, w.recurrentKernel, w.bias, rb as tf.Tensor1D, opts);
    case 'rnn':
      return simpleRnnReference(x, w.kernel, w.recurrentKernel, w.bias, opts);
  }
}

/**
 * The final states alone ([h, c] or [h], each [B, U]) of the sequence op over x [B, T, D]: what a
 * layer without returnSequences needs. The fused path then neither writes the outputs [B, T, U]
 * nor takes a gradient through them; the reference path computes them and drops them.
 */
export function recurrentStates(cell: CellType, x: tf.Tensor3D, w: RecurrentWeights, opts: RnnOpts = {}): tf.Tensor2D[] {
  const spec = CELLS[cell];
  if (!runtime().fast || opts.recurrentMask) {
    return tf.tidy(() => recurrentSequence(cell, x, w, opts).states);
  }
  const rb = spec.hasRecurrentBias ? w.recurrentBias : undefined;
  tf.util.assert(!spec.hasRecurrentBias || rb !== undefined, () => `${OP_NAME[cell]}: the ${cell} cell needs its recurrent bias`);
  checkShapes(OP_NAME[cell], x, w.kernel, w.recurrentKernel, rb ? [w.bias, rb] : [w.bias], spec.G, opts);
  return fused(spec, x, w.kernel, w.recurrentKernel, w.bias, rb ?? null, opts, true).states;
}

/**
 * LSTM. x [B,T,D], kernel [D,4U], recurrentKernel [U,4U], bias [4U]; gates i, f, c, o.
 * Returns outputs [B,T,U] and states [h, c], each [B,U].
 */
export function lstmSequence(
  x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D, opts: RnnOpts = {},
): RnnResult {
  return recurrentSequence('lstm', x, { kernel, recurrentKernel, bias }, opts);
}

/**
 * GRU, reset_after (Keras 2 / PyTorch / cuDNN), gates z, r, h. kernel [D,3U], recurrentKernel
 * [U,3U], bias [3U] (input), recurrentBias [3U]. Returns outputs [B,T,U] and states [h].
 */
export function gruSequence(
  x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D,
  recurrentBias: tf.Tensor1D, opts: RnnOpts = {},
): RnnResult {
  return recurrentSequence('gru', x, { kernel, recurrentKernel, bias, recurrentBias }, opts);
}

/** Elman RNN h' = tanh(x W + h U + b). kernel [D,U], recurrentKernel [U,U], bias [U]. States [h]. */
export function simpleRnnSequence(
  x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D, opts: RnnOpts = {},
): RnnResult {
  return recurrentSequence('rnn', x, { kernel, recurrentKernel, bias }, opts);
}

/**
 * One timestep at inference (generation), on plain arrays: x [B, D] and the state ([h] or [h, c],
 * each [B, U]) → the state after the step (h is also the step's output). Fused in 'fast' mode
 * (recurrent/step.ts: no tensor, the weights packed once), else the sequence op over one step.
 */
export function recurrentStep(cell: CellType, w: StepWeights, x: Float32Array, B: number, state: Float32Array[]): Float32Array[] {
  const spec = CELLS[cell];
  if (state.length !== nStates(spec)) throw new Error(`recurrentStep: the ${cell} cell has ${nStates(spec)} state arrays, got ${state.length}`);
  if (runtime().fast) return stepFused(cell, w, x, B, state);
  const U = state[0].length / B, GU = spec.G * U, D = x.length / B;
  return tidyValues(() => {
    const weights: RecurrentWeights = {
      kernel: tf.tensor2d(w.kernel, [D, GU]), recurrentKernel: tf.tensor2d(w.recurrentKernel, [U, GU]), bias: tf.tensor1d(w.bias),
      recurrentBias: w.recurrentBias ? tf.tensor1d(w.recurrentBias) : undefined,
    };
    return recurrentSequence(cell, tf.tensor3d(x, [B, 1, D]), weights, { initialState: state.map((s) => tf.tensor2d(s, [B, U])) }).states;
  });
}
