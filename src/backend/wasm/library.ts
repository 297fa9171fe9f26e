/**
 * Loads seqnet's wasm kernel library (wasm/kernels.ts, built to wasm/kernels.wasm and
 * wasm/kernels-relaxed.wasm) synchronously, on a shared memory the worker threads use too.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { KernelExports } from './interface.js';

/** 2 GiB, as the module declares (--maximumMemory) */
export const MAX_PAGES = 32768;

export type Variant = 'relaxed' | 'simd';

export interface WasmLibrary {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: KernelExports;
  /** 'relaxed' (FMA instructions) or 'simd' */
  variant: Variant;
}

/** The bytes of one build; the same relative path from src/backend/wasm/*.ts (vitest) and dist/backend/wasm/*.js. */
export function libraryBytes(variant: Variant): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL(`../../../wasm/${variant === 'relaxed' ? 'kernels-relaxed' : 'kernels'}.wasm`, import.meta.url)));
}

/**
 * The relaxed-SIMD build (FMA instructions: ~1.3-2x the products' speed) where this V8 accepts
 * it, else the plain SIMD one. Node 20's V8 has relaxed SIMD behind a flag, which is switched on
 * here (it only widens what the wasm validator accepts); SEQNET_SGEMM=simd forces the plain build.
 */
function pickBuild(): { bytes: Uint8Array<ArrayBuffer>; variant: Variant } {
  if (process.env.SEQNET_SGEMM !== 'simd') {
    const relaxed = libraryBytes('relaxed');
    if (!WebAssembly.validate(relaxed)) setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (WebAssembly.validate(relaxed)) return { bytes: relaxed, variant: 'relaxed' };
  }
  return { bytes: libraryBytes('simd'), variant: 'simd' };
}

export function loadLibrary(): WasmLibrary {
  const { bytes, variant } = pickBuild();
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
  const env = { memory, abort: () => { throw new Error('kernels.wasm aborted'); } };
  const exports = new WebAssembly.Instance(module, { env }).exports as unknown as KernelExports;
  return { module, memory, exports, variant };
}
