/**
 * The sgemm module (built from wasm/sgemm.ts), loaded synchronously, and its memory, managed as
 *  - a stack arena: kernels `mark()`, `alloc()` float buffers and `release(mark)` when done
 *    (kernels are synchronous and strictly nested, so a stack is all they need), and
 *  - pins: long-lived blocks below the stack (a recurrent layer's saved activations, from its
 *    forward pass to its backward one). A pin is taken while the stack is empty (between
 *    kernels or first thing in one); the pinned region shrinks from its top as pins are freed,
 *    so a pin freed under a live one waits for it (forward and backward passes nest, so pins
 *    are mostly freed in reverse order).
 * The memory is shared with worker threads (threads.ts), which run blocks of large products.
 * Views: growing the memory replaces its buffer, so always read `heap()` AFTER the last alloc.
 */
import { readFileSync } from 'node:fs';
import { BackendError } from '../../util/errors.js';
import { setFlagsFromString } from 'node:v8';
import type { GemmArgs } from './threads.js';

export interface SgemmExports {
  heapBase(): number;
  workspaceBytes(): number;
  sgemm(...args: GemmArgs): void;
  sgemmPacked(...args: GemmArgs): void;
  packB(K: number, N: number, b: number, ldb: number, transB: number, dst: number): void;
  packedFloats(K: number, N: number): number;
  addBias(M: number, N: number, c: number, ldc: number, bias: number): void;
  lstmForward(B: number, U: number, xp: number, rec: number, hIn: number, hOut: number, cIn: number, cOut: number, sv: number, mask: number): void;
  gruForward(B: number, U: number, xp: number, rec: number, rb: number, hIn: number, hOut: number, sv: number, mask: number): void;
  rnnForward(B: number, U: number, xp: number, rec: number, hIn: number, hOut: number, sv: number, mask: number): void;
  lstmBackward(B: number, U: number, gx: number, dh: number, dc: number, dhd: number, sv: number, cp: number, mask: number): void;
  gruBackward(B: number, U: number, gx: number, gr: number, dh: number, dhd: number, sv: number, hp: number, mask: number): void;
  rnnBackward(B: number, U: number, gx: number, dh: number, dhd: number, sv: number, mask: number): void;
  colSums(rows: number, cols: number, m: number, out: number, acc: number): void;
  toSteps(B: number, T: number, X: number, src: number, dst: number, back: boolean): void;
  fromSteps(B: number, T: number, X: number, src: number, dst: number, back: boolean): void;
  seqOutputs(B: number, T: number, U: number, H: number, mask: number, back: boolean, out: number): void;
  addOutputGrad(B: number, T: number, U: number, s: number, t: number, dout: number, dh: number, carry: number, mask: number): void;
  expN(n: number, src: number, dst: number): void;
  sigmoidN(n: number, src: number, dst: number): void;
  tanhN(n: number, src: number, dst: number): void;
  erfN(n: number, src: number, dst: number): void;
  geluN(n: number, src: number, dst: number): void;
  geluGradN(n: number, xs: number, dys: number, dst: number): void;
  addArrays(n: number, a: number, b: number, dst: number): void;
  softmaxRows(rows: number, cols: number, ld: number, s: number, bias: number, biasStride: number): void;
  softmaxGradRows(rows: number, cols: number, ld: number, p: number, dp: number, ds: number): void;
  mulRows(rows: number, cols: number, ld: number, a: number, b: number, bStride: number, dst: number): void;
  layerNormRows(N: number, D: number, x: number, g: number, b: number, eps: number, y: number, mean: number, rstd: number): void;
  layerNormGradRows(N: number, D: number, x: number, dy: number, g: number, mean: number, rstd: number, dx: number, dg: number, db: number): void;
  attnForward(b0: number, b1: number, T: number, D: number, hc: number, qkv: number, bias: number, biasB: number, biasQ: number, mask: number, P: number, Pd: number, ctx: number, ws: number): void;
  seqForwardRows(b0: number, b1: number, params: number, ws: number): void;
  seqBackwardRows(b0: number, b1: number, params: number, ws: number): void;
  convPoolGrad(B: number, T: number, C: number, k: number, F: number, left: number, x: number, wt: number, arg: number, dy: number, dwt: number, dx: number, db: number): void;
  attnBackward(b0: number, b1: number, T: number, D: number, hc: number, qkv: number, mask: number, P: number, Pd: number, dP: number, dctx: number, dqkv: number, ws: number): void;
}

const MAX_PAGES = 32768; // 2 GiB, as declared by the module (--maximumMemory)

let ex: SgemmExports | undefined;
let module: WebAssembly.Module | undefined;
let memory: WebAssembly.Memory | undefined;
let top = 0;
/** bottom of the stack = top of the pinned region */
let base = 0;
let view: Float32Array = new Float32Array(0);

/** Which build runs: 'relaxed' (fused multiply-adds) or 'simd'. */
let variant: 'relaxed' | 'simd' = 'simd';

/**
 * The relaxed-SIMD build (FMA instructions: ~1.3-2x the products' speed) where this V8 accepts
 * it, else the plain SIMD one. Node 20's V8 has relaxed SIMD behind a flag, which is switched on
 * here (it only widens what the wasm validator accepts); SEQNET_SGEMM=simd forces the plain build.
 */
function loadBytes() {
  // Same relative path from src/backend/kernels/*.ts (vitest) and dist/backend/kernels/*.js.
  const file = (name: string) => readFileSync(new URL(`../../../wasm/${name}`, import.meta.url));
  if (process.env.SEQNET_SGEMM !== 'simd') {
    const relaxed = file('sgemm-relaxed.wasm');
    if (!WebAssembly.validate(relaxed)) setFlagsFromString('--experimental-wasm-relaxed-simd');
    if (WebAssembly.validate(relaxed)) {
      variant = 'relaxed';
      return relaxed;
    }
  }
  variant = 'simd';
  return file('sgemm.wasm');
}

/** The sgemm build in use: 'relaxed' (FMA) or 'simd'. */
export function sgemmVariant(): 'relaxed' | 'simd' {
  exportsOf();
  return variant;
}

export function exportsOf(): SgemmExports {
  if (!ex) {
    const bytes = loadBytes();
    module = new WebAssembly.Module(bytes);
    memory = new WebAssembly.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
    const env = { memory, abort: () => { throw new Error('sgemm.wasm aborted'); } };
    ex = new WebAssembly.Instance(module, { env }).exports as unknown as SgemmExports;
    top = base = ex.heapBase();
  }
  return ex;
}

export function mem(): WebAssembly.Memory {
  exportsOf();
  return memory as WebAssembly.Memory;
}

/** The compiled module, for the worker threads. */
export function wasmModule(): WebAssembly.Module {
  exportsOf();
  return module as WebAssembly.Module;
}

/** The wasm memory as floats; re-read after any alloc (growth detaches old views). */
export function heap(): Float32Array {
  const m = mem();
  if (view.buffer !== m.buffer) view = new Float32Array(m.buffer);
  return view;
}

export function mark(): number {
  exportsOf();
  return top;
}

export function release(m: number): void {
  top = m;
  if (top === base) shrink();
}

interface Pin {
  p: number;
  end: number;
  free: boolean;
}
const pins: Pin[] = [];

/** Drops freed pins from the top of the pinned region (only while the stack is empty). */
function shrink(): void {
  if (top !== base) return;
  while (pins.length && pins[pins.length - 1].free) pins.pop();
  top = base = pins.length ? pins[pins.length - 1].end : (exportsOf().heapBase());
}

/**
 * A long-lived block of n floats (16-byte aligned) until unpin(p). Only at a kernel's entry:
 * any stack frames still open then were left by a kernel that threw, and are dropped.
 */
export function pin(n: number): number {
  exportsOf();
  top = base;
  // Reuse the smallest freed block that fits: a long-lived pin (a weight cache) above freed ones
  // would otherwise keep them from being reclaimed, and the arena would grow every step.
  const bytes = Math.ceil((n * 4) / 16) * 16;
  let hole: Pin | undefined;
  for (const x of pins) if (x.free && x.end - x.p >= bytes && (!hole || x.end - x.p < hole.end - hole.p)) hole = x;
  if (hole) {
    hole.free = false;
    return hole.p;
  }
  const p = alloc(n);
  base = top;
  pins.push({ p, end: top, free: false });
  return p;
}

/** Frees a pin (idempotent); its memory is reused once the pins above it are freed too. */
export function unpin(p: number): void {
  const found = pins.find((x) => x.p === p);
  if (found) found.free = true;
  shrink();
}

/** Bytes held by pins, freed or not (tests check that passes give everything back). */
export function pinnedBytes(): number {
  return base - exportsOf().heapBase();
}

/** Allocates n floats (16-byte aligned); returns a byte pointer. Contents are garbage. */
export function alloc(n: number): number {
  const m = mem();
  const p = top;
  top = p + Math.ceil((n * 4) / 16) * 16;
  const have = m.buffer.byteLength;
  if (top > MAX_PAGES * 65536) {
    const mib = Math.ceil((n * 4) / 2 ** 20);
    top = p;
    throw new BackendError(
      `seqnet's fast kernels ran out of their 2 GiB of WebAssembly memory (one block of ${mib} MiB did not fit). ` +
        'Use a smaller train.batch_size or sequence length, or run with --kernels reference.',
    );
  }
  if (top > have) {
    // grow by at least a quarter so a slowly rising peak does not grow page by page
    const pages = Math.ceil(Math.max(top - have, have / 4) / 65536);
    m.grow(Math.min(pages, MAX_PAGES - have / 65536));
  }
  return p;
}

/** Allocates and fills from src; returns the byte pointer. */
export function put(src: ArrayLike<number>): number {
  const p = alloc(src.length);
  heap().set(src, p >> 2);
  return p;
}

/**
 * Copies n floats at p out of wasm memory. A fresh array filled with set() is ~3x faster than
 * slice() here: V8 slices a shared buffer element by element.
 */
export function take(p: number, n: number): Float32Array {
  const out = new Float32Array(n);
  out.set(heap().subarray(p >> 2, (p >> 2) + n));
  return out;
}

