/**
 * seqnet's optional native kernels: native/*.c, built for this machine's CPU by
 * scripts/build-native.mjs (part of `npm run build`, so of `npm ci`) into
 * build/native/seqnet-kernels.node. The addon's kernels have the names and parameters of the wasm
 * ones (one interface table, interface.ts) and work on the same shared memory, so each one it
 * defines replaces its wasm twin on every thread, and the rest stay on wasm.
 * Off when the addon was not built (no compiler or Node headers), when it does not load or the
 * CPU lacks what it was compiled for, and with SEQNET_NATIVE=0.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { KernelExports } from './interface.js';

/** Where the build puts the addon (the same relative path from src/ under vitest and from dist/). */
export const NATIVE_PATH = fileURLToPath(new URL('../../../build/native/seqnet-kernels.node', import.meta.url));

interface Addon {
  /** The kernels bound to the memory under `view` (a typed array over all of the wasm memory). */
  bind(view: Uint8Array): Partial<KernelExports>;
  /** What the kernels were compiled for: 'AVX-512', 'AVX2', … */
  target(): string;
}

export interface NativeKernels {
  path: string;
  target: string;
  /** the exports the addon defines, bound to the library's memory */
  exports: Partial<KernelExports>;
  /** those seqnet uses (library.ts): all of them but a packed-layout group the addon only has in part */
  names: string[];
}

/** Why the native kernels are off (null when they are on or were never looked for). */
let offReason: string | null = null;
export const nativeOffReason = (): string | null => offReason;

/** The native kernels bound to `memory`, or null (wasm alone). */
export function bindNative(memory: WebAssembly.Memory): NativeKernels | null {
  if (process.env.SEQNET_NATIVE === '0') {
    offReason = 'SEQNET_NATIVE=0';
    return null;
  }
  if (!existsSync(NATIVE_PATH)) {
    offReason = 'not built (npm run build:native needs a C compiler and Node headers)';
    return null;
  }
  try {
    const addon = createRequire(import.meta.url)(NATIVE_PATH) as Addon;
    const exports = addon.bind(new Uint8Array(memory.buffer));
    return { path: NATIVE_PATH, target: addon.target(), exports, names: Object.keys(exports) };
  } catch (e) {
    offReason = `did not load: ${(e as Error).message}`;
    return null;
  }
}
