/**
 * seqnet's optional native kernels: native/*.c, built for this machine's CPU by
 * scripts/build-native.mjs (part of `npm run build`, so of `npm ci`) into
 * build/native/seqnet-kernels.node. The addon's kernels have the names and parameters of the wasm
 * ones (one interface table, interface.ts) and work on the same shared memory, so each one it
 * defines replaces its wasm twin on every thread, and the rest stay on wasm. Four more work on
 * JS arrays instead, each beside its JS loop: the embedding lookup's row gather, a float32 add
 * with one side repeated along the other's rows (biases, positions), Adam's update, and the sum of
 * squares of gradient clipping's global norm.
 * Off when the addon was not built (no compiler or Node headers), when it does not load or the
 * CPU lacks what it was compiled for, and with SEQNET_NATIVE=0.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
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
  /**
   * An embedding lookup on JS arrays (native/gather.c): out row i = table row ids[i], each
   * `width` floats; false (nothing written) when an index or a length does not fit.
   */
  gatherRows(table: Float32Array, ids: Int32Array, out: Float32Array, width: number): boolean;
  /** out[i] = a[i] + b[i mod b.length] (native/add_rows.c); false (nothing written) unless a, out have one length, a multiple of b's. */
  addRows(a: Float32Array, b: Float32Array, out: Float32Array): boolean;
  /**
   * Adam's one-pass update (native/adam.c; adam.ts has the maths and its JS twin) on float32
   * arrays of one length, bit for bit the JS loop's; false (nothing written) otherwise.
   */
  adamUpdate(
    g: Float32Array, mIn: Float32Array, vIn: Float32Array, wIn: Float32Array, mOut: Float32Array, vOut: Float32Array, wOut: Float32Array,
    b1: number, b2: number, lrOverC1: number, invC2: number, eps: number,
  ): boolean;
  /** Σ a[i]² in double precision (native/sum_squares.c); -1 when a is not a float32 array. */
  sumSquares(a: Float32Array): number;
}

export interface NativeKernels {
  path: string;
  target: string;
  /** the exports the addon defines, bound to the library's memory */
  exports: Partial<KernelExports>;
  /** those seqnet uses (library.ts): all of them but a packed-layout group the addon only has in part */
  names: string[];
  /** the addon's functions on JS arrays: row gather, row add, Adam update, sum of squares */
  gatherRows: Addon['gatherRows'];
  addRows: Addon['addRows'];
  adamUpdate: Addon['adamUpdate'];
  sumSquares: Addon['sumSquares'];
}

/**
 * Why the addon must not be loaded, or null: its bytes must be the ones its build recorded
 * (scripts/build-native.mjs), since loading a truncated or replaced library can crash the process.
 */
function checkBinary(path: string): string | null {
  const fix = 'rebuild it with `npm run build:native`';
  let record: { binary?: string };
  try {
    record = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as { binary?: string };
  } catch {
    return `${path}.json (its build record) is missing or unreadable: ${fix}`;
  }
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  return hash === record.binary ? null : `${path} is not the library its build recorded (corrupt or replaced): ${fix}`;
}

/**
 * The native kernels bound to `memory`, or why they are off (a string: seqnet runs on wasm alone);
 * `path`: the addon (tests).
 */
export function bindNative(memory: WebAssembly.Memory, path = NATIVE_PATH): NativeKernels | string {
  if (process.env.SEQNET_NATIVE === '0') return 'SEQNET_NATIVE=0';
  if (!existsSync(path)) return 'not built (npm run build:native needs a C compiler and Node headers)';
  const problem = checkBinary(path);
  if (problem) return problem;
  try {
    const addon = createRequire(import.meta.url)(path) as Addon;
    const exports = addon.bind(new Uint8Array(memory.buffer));
    return { path, target: addon.target(), exports, names: Object.keys(exports), gatherRows: addon.gatherRows, addRows: addon.addRows, adamUpdate: addon.adamUpdate, sumSquares: addon.sumSquares };
  } catch (e) {
    return `did not load: ${(e as Error).message}`;
  }
}
