/**
 * Inference-time copies of a fused recurrent layer's weights in wasm memory: the kernel W and the
 * recurrent kernel, both packed for sgemmPacked, and the biases, pinned in the runtime's weight
 * cache (wasm/pinned_cache.ts) so that generating one token at a time does not copy and repack
 * ~1 MB per layer per token. An entry matches the exact weight arrays and the weights version
 * (the fused Adam updates in place), so updated weights are never served stale. Training passes
 * (which update the weights every step) do not use it.
 */
import { runtime } from '../../runtime.js';
import * as wasm from '../../wasm/index.js';

export interface WasmWeights {
  /** W and U packed for sgemmPacked, bias [G·U], recurrent bias [G·U] or 0 */
  pWp: number;
  pUp: number;
  pB: number;
  pRb: number;
}

/** The layer's weights in wasm memory for an inference pass; call with an empty stack. */
export function cachedWeights(W: Float32Array, Ur: Float32Array, bias: Float32Array, rbias: Float32Array | null, U: number, GU: number): WasmWeights {
  const rt = runtime();
  return rt.weightCache.get([Ur, W, bias, rbias], rt.weightsVersion, () => {
    const pWp = wasm.pinPacked(W, W.length / GU, GU), pUp = wasm.pinPacked(Ur, U, GU);
    const pB = wasm.pinCopy(bias), pRb = rbias ? wasm.pinCopy(rbias) : 0;
    return { value: { pWp, pUp, pB, pRb }, ptrs: [pWp, pUp, pB, pRb] };
  });
}
