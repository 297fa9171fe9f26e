/**
 * Twins for the native kernel tests: the wasm library and the native addon on one shared memory,
 * with a bump allocator, so each native kernel can be run against its wasm twin on the same input.
 * Where this machine can build the addon (a C compiler and Node's headers), it must have been
 * built (npm run build does it): the tests fail, not skip, when it is missing.
 */
import type { KernelExports } from '../../../src/backend/wasm/interface.js';
import { loadLibrary } from '../../../src/backend/wasm/library.js';
import { Rng } from '../../../src/util/rng.js';
// @ts-expect-error: a plain .mjs script, no type declarations
import { toolchain } from '../../../scripts/build-native.mjs';

/** Whether this machine can build the addon (the build script's own test). */
export function canBuildNative(): boolean {
  return !toolchain().skip;
}

export interface Twins {
  wasm: KernelExports;
  native: KernelExports;
  /** the exports the addon defines */
  names: string[];
  heap(): Float32Array;
  /** n floats, 64-byte aligned, zeroed; a byte pointer */
  alloc(n: number): number;
  /** a copy of xs on the memory; a byte pointer */
  put(xs: ArrayLike<number>): number;
  /** n floats at byte pointer p, copied out */
  get(p: number, n: number): Float32Array;
  /** n normal floats, seeded */
  randn(n: number, scale?: number): Float32Array;
}

export function twins(seed = 1): Twins {
  const lib = loadLibrary();
  if (!lib.native) throw new Error('the native kernels are not built: run `npm run build` (it needs cc and node_api.h)');
  const rng = new Rng(seed);
  let top = (lib.wasm.heapBase() + 63) & ~63;
  const heap = (): Float32Array => new Float32Array(lib.memory.buffer);
  const alloc = (n: number): number => {
    const p = top;
    top = (top + n * 4 + 63) & ~63;
    const need = Math.ceil(top / 65536) - lib.memory.buffer.byteLength / 65536;
    if (need > 0) lib.memory.grow(need);
    heap().fill(0, p >> 2, (p >> 2) + n);
    return p;
  };
  const put = (xs: ArrayLike<number>): number => {
    const p = alloc(xs.length);
    heap().set(xs, p >> 2);
    return p;
  };
  return {
    wasm: lib.wasm,
    native: lib.native.exports as KernelExports,
    names: Object.keys(lib.native.exports),
    heap,
    alloc,
    put,
    get: (p, n) => heap().slice(p >> 2, (p >> 2) + n),
    randn: (n, scale = 1) => Float32Array.from({ length: n }, () => rng.normal() * scale),
  };
}

/** Largest |a - b| / (1 + |b|) over the elements (equal values, infinities included, and NaN against NaN count 0). */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expectSameLength(a, b);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const d = Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i]));
    if (!(d <= m)) m = Number.isNaN(d) ? (Number.isNaN(a[i]) && Number.isNaN(b[i]) ? m : Infinity) : d;
  }
  return m;
}

function expectSameLength(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
}
