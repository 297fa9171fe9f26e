/**
 * seqnet's fast kernels for the pure-JS `cpu` backend: BatchMatMul, _FusedMatMul and the Conv2D
 * family (im2col) on a WebAssembly SIMD sgemm (wasm/sgemm.wasm, multi-threaded for large
 * products), plus the fused recurrent ops in rnn.ts, which check fastKernelsActive(), and Adam's
 * update in one pass (adam.ts). install/uninstall swap kernel registrations (and Adam's
 * applyGradients) and keep the originals so uninstall restores them exactly; both are idempotent.
 */
import { tf } from '../tf.js';
import { makeConv2D, makeConv2DBackpropFilter, makeConv2DBackpropInput, makeFusedConv2D } from './conv.js';
import { makeBatchMatMul, makeFusedMatMul } from './matmul.js';
import { BINARY_KERNELS, makeBinary, makeUnsortedSegmentSum } from './binary.js';
import { fastKernelsActive, setFastKernelsActive } from './state.js';
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
  ...Object.fromEntries(BINARY_KERNELS.map((k) => [k, makeBinary])),
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
export type { RnnOpts } from './rnn.js';
