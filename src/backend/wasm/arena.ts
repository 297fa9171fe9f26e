/**
 * The wasm kernel library's memory, managed as
 *  - a stack arena: kernels `mark()`, `alloc()` float buffers and `release(mark)` when done
 *    (kernels are synchronous and strictly nested, so a stack is all they need), and
 *  - pins: long-lived blocks below the stack (a recurrent layer's saved activations, from its
 *    forward pass to its backward one). A pin is taken while the stack is empty (between
 *    kernels or first thing in one); the pinned region shrinks from its top as pins are freed,
 *    so a pin freed under a live one waits for it (forward and backward passes nest, so pins
 *    are mostly freed in reverse order).
 * The memory is shared with worker threads (pool.ts), which run blocks of large products.
 * Views: growing the memory replaces its buffer, so always read `heap()` AFTER the last alloc.
 */
import { Buffer } from 'node:buffer';
import { BackendError } from '../../util/errors.js';
import type { KernelExports } from './interface.js';
import { MAX_PAGES, type WasmLibrary } from './library.js';

interface Pin {
  p: number;
  end: number;
  free: boolean;
}

export class Arena {
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  private top: number;
  /** bottom of the stack = top of the pinned region */
  private base: number;
  private readonly heapBase: number;
  private view: Float32Array = new Float32Array(0);
  private readonly pins: Pin[] = [];

  constructor(lib: WasmLibrary) {
    this.exports = lib.exports;
    this.memory = lib.memory;
    this.top = this.base = this.heapBase = lib.exports.heapBase();
  }

  /** The wasm memory as floats; re-read after any alloc (growth detaches old views). */
  heap(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  mark(): number {
    return this.top;
  }

  release(m: number): void {
    this.top = m;
    if (this.top === this.base) this.shrink();
  }

  /** Drops freed pins from the top of the pinned region (only while the stack is empty). */
  private shrink(): void {
    if (this.top !== this.base) return;
    const pins = this.pins;
    while (pins.length && pins[pins.length - 1].free) pins.pop();
    this.top = this.base = pins.length ? pins[pins.length - 1].end : this.heapBase;
  }

  /**
   * A long-lived block of n floats (16-byte aligned) until unpin(p). Only at a kernel's entry:
   * any stack frames still open then were left by a kernel that threw, and are dropped.
   */
  pin(n: number): number {
    this.top = this.base;
    // Reuse the smallest freed block that fits: a long-lived pin (a weight cache) above freed ones
    // would otherwise keep them from being reclaimed, and the arena would grow every step.
    const bytes = Math.ceil((n * 4) / 16) * 16;
    let hole: Pin | undefined;
    for (const x of this.pins) if (x.free && x.end - x.p >= bytes && (!hole || x.end - x.p < hole.end - hole.p)) hole = x;
    if (hole) {
      hole.free = false;
      return hole.p;
    }
    const p = this.alloc(n);
    this.base = this.top;
    this.pins.push({ p, end: this.top, free: false });
    return p;
  }

  /** Frees a pin (idempotent); its memory is reused once the pins above it are freed too. */
  unpin(p: number): void {
    const found = this.pins.find((x) => x.p === p);
    if (found) found.free = true;
    this.shrink();
  }

  /** Bytes held by pins, freed or not (tests check that passes give everything back). */
  pinnedBytes(): number {
    return this.base - this.heapBase;
  }

  /** Allocates n floats (16-byte aligned); returns a byte pointer. Contents are garbage. */
  alloc(n: number): number {
    const m = this.memory;
    const p = this.top;
    this.top = p + Math.ceil((n * 4) / 16) * 16;
    const have = m.buffer.byteLength;
    if (this.top > MAX_PAGES * 65536) {
      const mib = Math.ceil((n * 4) / 2 ** 20);
      this.top = p;
      throw new BackendError(
        `seqnet's fast kernels ran out of their 2 GiB of WebAssembly memory (one block of ${mib} MiB did not fit). ` +
          'Use a smaller train.batch_size or sequence length, or run with --kernels reference.',
      );
    }
    if (this.top > have) {
      // grow by at least a quarter so a slowly rising peak does not grow page by page
      const pages = Math.ceil(Math.max(this.top - have, have / 4) / 65536);
      m.grow(Math.min(pages, MAX_PAGES - have / 65536));
    }
    return p;
  }

  /** Allocates and fills from src; returns the byte pointer. */
  put(src: ArrayLike<number>): number {
    const p = this.alloc(src.length);
    this.heap().set(src, p >> 2);
    return p;
  }

  /**
   * Copies n floats at p out of wasm memory. A fresh array filled with set() is ~3x faster than
   * slice() here: V8 slices a shared buffer element by element. A large one is allocated
   * without the zero fill that set() overwrites anyway (Buffer.allocUnsafeSlow: its own buffer,
   * never Node's shared pool), ~15% less time on 1 MiB.
   */
  take(p: number, n: number): Float32Array {
    const out = unfilledFloats(n);
    out.set(this.heap().subarray(p >> 2, (p >> 2) + n));
    return out;
  }
}

/** Floats from which unfilledFloats skips the zero fill (smaller arrays come from V8's young space quickly). */
const UNFILLED_FLOATS = 4096;

/**
 * A new Float32Array of n floats for a caller that writes every one of them: when large,
 * uninitialised memory in an ArrayBuffer of its own (Buffer.allocUnsafeSlow, never Node's shared
 * pool), which skips a pass that zeroes what is overwritten anyway.
 */
export function unfilledFloats(n: number): Float32Array {
  if (n < UNFILLED_FLOATS) return new Float32Array(n);
  const b = Buffer.allocUnsafeSlow(n * 4);
  return new Float32Array(b.buffer, b.byteOffset, n);
}
