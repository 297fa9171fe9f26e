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

/** A pinned copy of src (stack empty). */
function pinCopy(src: Float32Array): number {
  const p = wasm.pin(src.length);
  wasm.heap().set(src, p >> 2);
  return p;
}

/** A pinned packed copy of src as the B of K x N products (stack empty). */
function pinPacked(src: Float32Array, K: number, N: number): number {
  const p = wasm.pin(wasm.packedFloats(K, N));
  const m = wasm.mark();
  wasm.packBInto(K, N, wasm.put(src), false, p);
  wasm.release(m);
  return p;
}

/** The layer's weights in wasm memory for an inference pass; call with an empty stack. */
export function cachedWeights(W: Float32Array, Ur: Float32Array, bias: Float32Array, rbias: Float32Array | null, U: number, GU: number): WasmWeights {
  const rt = runtime();
  return rt.weightCache.get([Ur, W, bias, rbias], rt.weightsVersion, () => {
    const pWp = pinPacked(W, W.length / GU, GU), pUp = pinPacked(Ur, U, GU);
    const pB = pinCopy(bias), pRb = rbias ? pinCopy(rbias) : 0;
    return { value: { pWp, pUp, pB, pRb }, ptrs: [pWp, pUp, pB, pRb] };
  });
}
