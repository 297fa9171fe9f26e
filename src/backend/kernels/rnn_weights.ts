/**
 * Inference-time cache of a fused recurrent layer's weights in wasm memory: the kernel W and the
 * recurrent kernel, both packed for sgemmPacked, and the biases, pinned (arena.ts) so that generating one
 * token at a time does not copy and repack ~1 MB per layer per token. An entry is keyed by the
 * recurrent kernel's value array and checked against the other arrays and the in-place weight
 * version (adam.ts), so updated weights are never served stale; it is freed when replaced or
 * when its arrays are collected. Training passes (which update the weights every step) do not use it.
 */
import { weightsVersion } from './adam.js';
import * as wasm from './wasm.js';

export interface WasmWeights {
  /** W and U packed for sgemmPacked, bias [G·U], recurrent bias [G·U] or 0 */
  pWp: number;
  pUp: number;
  pB: number;
  pRb: number;
}

interface Entry extends WasmWeights {
  W: Float32Array;
  bias: Float32Array;
  rbias: Float32Array | null;
  version: number;
  ptrs: number[];
}

const cache = new WeakMap<Float32Array, Entry>();
const collected = new FinalizationRegistry<number[]>((ptrs) => ptrs.forEach((p) => wasm.unpin(p)));

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
  const hit = cache.get(Ur);
  if (hit && hit.W === W && hit.bias === bias && hit.rbias === rbias && hit.version === weightsVersion()) return hit;
  if (hit) {
    collected.unregister(hit);
    hit.ptrs.forEach((p) => wasm.unpin(p));
  }
  const pWp = pinPacked(W, W.length / GU, GU), pUp = pinPacked(Ur, U, GU);
  const pB = pinCopy(bias), pRb = rbias ? pinCopy(rbias) : 0;
  const entry: Entry = { pWp, pUp, pB, pRb, W, bias, rbias, version: weightsVersion(), ptrs: [pWp, pUp, pB, pRb].filter((p) => p) };
  cache.set(Ur, entry);
  collected.register(entry, entry.ptrs, entry);
  return entry;
}
