/**
 * Loads seqnet's wasm kernel library (wasm/kernels.ts, built to wasm/kernels.wasm and
 * wasm/kernels-relaxed.wasm) synchronously, on a shared memory the worker threads use too.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { KernelExports } from './interface.js';
import { bindNative, type NativeKernels } from './native.js';

/** 2 GiB, as the module declares (--maximumMemory) */
export const MAX_PAGES = 32768;

export type Variant = 'relaxed' | 'simd';

export interface WasmLibrary {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** the kernels seqnet calls: the native ones where the addon defines them, else wasm */
  exports: KernelExports;
  /** the wasm module's own exports */
  wasm: KernelExports;
  /** 'relaxed' (FMA instructions) or 'simd' */
  variant: Variant;
  /** the native kernels in use (native.ts), or null */
  native: NativeKernels | null;
  /** why the native kernels are off, or null when they are in use */
  nativeOff: string | null;
  /**
   * the products' column panel (8 in wasm, 32 natively on AVX-512): column blocks given to threads
   * start on panel boundaries; a packed 1 x 1 matrix is one panel wide
   */
  panelWidth: number;
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

/**
 * The kernels that write or read packed matrices agree on one packed layout, which differs between
 * the builds (the panel width): they come from the addon all together or not at all.
 */
const PACKED_LAYOUT = ['packedFloats', 'packB', 'sgemmPacked', 'seqForwardRows', 'seqBackwardRows', 'decodeBlockRows', 'blockRows', 'blockGradRows'] as const;

export function samePackedLayout(native: Partial<KernelExports>): Partial<KernelExports> {
  if (PACKED_LAYOUT.every((n) => n in native)) return native;
  return Object.fromEntries(Object.entries(native).filter(([n]) => !(PACKED_LAYOUT as readonly string[]).includes(n)));
}

export function loadLibrary(): WasmLibrary {
  const { bytes, variant } = pickBuild();
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
  const env = { memory, abort: () => { throw new Error('kernels.wasm aborted'); } };
  const wasm = new WebAssembly.Instance(module, { env }).exports as unknown as KernelExports;
  const native = bindNative(memory);
  if (typeof native === 'string') {
    return { module, memory, exports: wasm, wasm, variant, native: null, nativeOff: native, panelWidth: wasm.packedFloats(1, 1) };
  }
  // one workspace serves either twin: the larger of the two sizes
  const ws = Math.max(wasm.workspaceBytes(), native.exports.workspaceBytes?.() ?? 0);
  const used = samePackedLayout(native.exports);
  const exports = { ...wasm, ...used, workspaceBytes: () => ws } as KernelExports;
  return {
    module, memory, exports, wasm, variant, native: { ...native, names: Object.keys(used) }, nativeOff: null,
    panelWidth: exports.packedFloats(1, 1),
  };
}
