/**
 * seqnet's fast kernels for the pure-JS `cpu` backend:
 *  - products: BatchMatMul, _FusedMatMul and the Conv2D family (1-D convolutions without
 *    im2col) on a WebAssembly SIMD sgemm (wasm/sgemm.ts; FMA where relaxed SIMD is available,
 *    multi-threaded for large products);
 *  - element-wise, reductions and layout: binary.ts, unary.ts (transcendentals in wasm SIMD),
 *    reduce.ts, layout.ts, replacing tfjs-backend-cpu's per-element index arithmetic;
 *  - Adam's update in one pass (adam.ts);
 *  - fused ops that callers use while fastKernelsActive(): the recurrent sequences (rnn.ts, their
 *    timestep loops in wasm, a batch slice per thread), layer norm (fused_ops.ts), dense layers
 *    with their activation (dense.ts), multi-head attention (attention.ts), the whole transformer
 *    block (block.ts), TextCNN's conv → relu → masked max pool (conv_pool.ts) and the sparse
 *    softmax cross-entropy (loss.ts);
 *  - work spread over worker threads on the shared wasm memory (threads.ts): matrix products,
 *    and row ranges of the attention, GELU, layer-norm and recurrent loops.
 * install/uninstall swap kernel registrations (and Adam's applyGradients) and keep the originals
 * so uninstall restores them exactly; both are idempotent.
 */
import { tf } from '../tf.js';
import { makeConv2D, makeConv2DBackpropFilter, makeConv2DBackpropInput, makeFusedConv2D } from './conv.js';
import { makeBatchMatMul, makeFusedMatMul } from './matmul.js';
import { BINARY_KERNELS, makeAddN, makeBinary, makeUnsortedSegmentSum } from './binary.js';
import { fastKernelsActive, setFastKernelsActive } from './state.js';
import { UNARY_KERNELS, makeUnary } from './unary.js';
import { makeMax, makeMean, makeSum } from './reduce.js';
import { makeGatherV2, makePadV2, makeSlice, makeSplitV, makeTranspose } from './layout.js';
import { installFastAdam, uninstallFastAdam } from './adam.js';

export { fastKernelsActive };

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

let saved: KernelConfig[] = [];

export function installFastKernels(): void {
  if (fastKernelsActive()) return;
  for (const [name, make] of Object.entries(OVERRIDES)) {
    const original = tf.getKernel(name, 'cpu');
    if (!original) continue;
    saved.push(original);
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel(make(original));
  }
  installFastAdam();
  setFastKernelsActive(true);
}

export function uninstallFastKernels(): void {
  if (!fastKernelsActive()) return;
  for (const original of saved) {
    tf.unregisterKernel(original.kernelName, 'cpu');
    tf.registerKernel(original);
  }
  saved = [];
  uninstallFastAdam();
  setFastKernelsActive(false);
}

export { orthogonal } from './init.js';
export { lstmSequence, gruSequence, simpleRnnSequence } from './rnn.js';
export { layerNormFused } from './fused_ops.js';
export { attentionFused } from './attention.js';
export { convMaxPoolFused, convPoolOutputs, type ConvPoolPadding } from './conv_pool.js';
export { denseFused, type DenseAct } from './dense.js';
export { crossEntropyFused } from './loss.js';
export { BLOCK_WEIGHTS, blockFits, transformerBlockFused, type BlockOptions } from './block.js';
export type { RnnOpts } from './rnn.js';
