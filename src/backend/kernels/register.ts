/**
 * seqnet's tfjs kernel overrides for the pure-JS `cpu` backend, installed while the runtime is in
 * 'fast' mode (runtime.ts) and restored exactly when it leaves it:
 *  - products: BatchMatMul, _FusedMatMul and the Conv2D family (1-D convolutions without
 *    im2col) on the wasm sgemm (FMA where relaxed SIMD is available, multi-threaded for large
 *    products);
 *  - element-wise, reductions and layout: binary.ts, unary.ts (transcendentals in wasm SIMD),
 *    reduce.ts, layout.ts, replacing tfjs-backend-cpu's per-element index arithmetic.
 * The fused ops models call (recurrent sequences, dense, layer norm, attention, the transformer
 * block, conv-pool, cross-entropy, additive score) are in ../ops/, and pick their fast path
 * themselves; the fused Adam is ../adam.ts.
 */
import { tf } from '../tf.js';
import { makeConv2D, makeConv2DBackpropFilter, makeConv2DBackpropInput, makeFusedConv2D } from './conv.js';
import { makeBatchMatMul, makeFusedMatMul } from './matmul.js';
import { BINARY_KERNELS, makeAddN, makeBinary, makeUnsortedSegmentSum } from './binary.js';
import { UNARY_KERNELS, makeUnary } from './unary.js';
import { makeMax, makeMean, makeSum } from './reduce.js';
import { makeGatherV2, makePadV2, makeSlice, makeSplitV, makeTranspose } from './layout.js';
import type { KernelSet } from '../runtime.js';

type KernelConfig = ReturnType<typeof tf.getKernel>;

const OVERRIDES: Record<string, (original: KernelConfig) => KernelConfig> = {
  BatchMatMul: makeBatchMatMul,
  _FusedMatMul: makeFusedMatMul,
  Conv2D: makeConv2D,
  FusedConv2D: makeFusedConv2D,
  Conv2DBackpropInput: makeConv2DBackpropInput,
  Conv2DBackpropFilter: makeConv2DBackpropFilter,
  UnsortedSegmentSum: makeUnsortedSegmentSum,
  AddN: makeAddN,
  Sum: makeSum,
  Mean: makeMean,
  Max: makeMax,
  Transpose: makeTranspose,
  GatherV2: makeGatherV2,
  Slice: makeSlice,
  SplitV: makeSplitV,
  PadV2: makePadV2,
  ...Object.fromEntries(BINARY_KERNELS.map((k) => [k, makeBinary])),
  ...Object.fromEntries(UNARY_KERNELS.map((k) => [k, makeUnary])),
};

/** Swaps every override in for the original cpu kernel; the returned function puts the originals back. */
function install(): () => void {
  const saved: KernelConfig[] = [];
  for (const [name, make] of Object.entries(OVERRIDES)) {
    const original = tf.getKernel(name, 'cpu');
    if (!original) continue;
    saved.push(original);
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel(make(original));
  }
  return () => {
    for (const original of saved) {
      tf.unregisterKernel(original.kernelName, 'cpu');
      tf.registerKernel(original);
    }
  };
}

/** The kernel overrides of the cpu backend, as the runtime installs them. */
export const CPU_KERNELS: KernelSet = { install };
