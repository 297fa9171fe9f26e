/**
 * The engine state of seqnet's pure-JS path, in one object created when the backend starts
 * (initBackend): the kernel mode, the wasm library with its arena, the worker pool, the thread
 * tuner, the dropout stream and the version of the weights that the fused Adam updates in place.
 * Every fused op (backend/ops/) asks `runtime().fast` whether to run its fast path; nothing else
 * decides it, and `--kernels reference` (or setMode('reference')) switches every fast path off.
 */
import { tf } from './tf.js';
import { Rng } from '../util/rng.js';
import { Arena } from './wasm/arena.js';
import { PinnedCache, PinnedInput } from './wasm/pinned_cache.js';
import { loadLibrary, type Variant, type WasmLibrary } from './wasm/library.js';
import { WorkerPool } from './wasm/pool.js';
import { DEFAULT_MIN_WORK, defaultThreads, Tuner } from './wasm/tuner.js';

export type KernelMode = 'fast' | 'reference';

/** What switching to 'fast' installs in tfjs (kernel overrides); install returns the undo. */
export interface KernelSet {
  install(): () => void;
}

/** Pinned wasm blocks a training forward pass keeps for its backward pass. */
export interface Held {
  readonly ptrs: readonly number[];
  /** false once released */
  readonly live: boolean;
  /** Unpins the blocks (idempotent). */
  release(): void;
}

interface HeldEntry extends Held {
  live: boolean;
  tape: unknown;
}

export class Runtime {
  private currentMode: KernelMode = 'reference';
  private kernels: KernelSet | null = null;
  private restore: (() => void) | null = null;
  private lib: WasmLibrary | null = null;
  private arenaInstance: Arena | null = null;
  private readonly held = new Set<HeldEntry>();
  readonly pool = new WorkerPool();
  readonly tuner = new Tuner();
  /** the stream dropout masks are drawn from (seedDropout reseeds it) */
  dropout = new Rng(1);
  /** inference-time pinned copies of weights (the fused recurrent and dense ops') */
  readonly weightCache = new PinnedCache(() => this.arena);
  /**
   * the last activation several ops read the same copy of: TextCNN's widths all convolve one
   * embedded batch, laid out once (conv_pool.ts); one entry, replaced by the next input
   */
  readonly inputCache = new PinnedInput(() => this.arena);
  /**
   * counts optimizer steps (the fused Adam writes weights in place): caches of weight values
   * compare it, and drop what an older version pinned
   */
  weightsVersion = 0;

  /** Weights were updated (an optimizer step, a restore): cached copies are stale. */
  weightsChanged(): void {
    this.weightsVersion++;
  }

  get mode(): KernelMode {
    return this.currentMode;
  }

  /** True when the fused ops and kernel overrides run (the pure-JS backend with --kernels fast). */
  get fast(): boolean {
    return this.currentMode === 'fast';
  }

  /**
   * Switches every fast path on or off: the tfjs kernel overrides (installed or restored exactly)
   * and, through `fast`, the fused ops and the fused Adam. Idempotent.
   */
  setMode(mode: KernelMode, kernels: KernelSet | null = this.kernels): void {
    this.kernels = kernels;
    if (mode === this.currentMode) return;
    if (mode === 'fast') this.restore = this.kernels?.install() ?? null;
    else {
      this.restore?.();
      this.restore = null;
    }
    this.currentMode = mode;
  }

  /** Whether the wasm library has been loaded (reference mode never loads it). */
  get wasmLoaded(): boolean {
    return this.lib !== null;
  }

  /** The wasm kernel library (loaded on first use). */
  get library(): WasmLibrary {
    return (this.lib ??= loadLibrary());
  }

  /** The wasm memory's stack and pins. */
  get arena(): Arena {
    return (this.arenaInstance ??= new Arena(this.library));
  }

  /** The build in use: 'relaxed' (FMA) or 'simd'. */
  get variant(): Variant {
    return this.library.variant;
  }

  /**
   * Thread count for large products (this one included; 1 stops the workers), the multiply-adds
   * below which work stays on one thread, and whether the tuner may fall back to one thread.
   * No arguments: the defaults.
   */
  configureThreads(n = defaultThreads(), minWork = DEFAULT_MIN_WORK, tuned = true): void {
    this.tuner.configure(n, minWork, tuned);
    if (this.tuner.threads === 1) this.pool.stop();
  }

  /** Threads available to a large product right now (workers start asynchronously). */
  activeThreads(): number {
    const n = this.tuner.threads;
    return n > 1 ? Math.min(n, this.pool.ready() + 1) : 1;
  }

  /** Reseeds every dropout mask drawn after this call. */
  seedDropout(seed: number): void {
    this.dropout = new Rng(seed);
  }

  /**
   * Pins blocks of the given float counts for a forward pass's backward pass. They are released
   * by that backward pass (Held.release), or, when the gradient tape they were recorded on ends
   * without one, at the next training forward pass (a new tape: releaseAbandoned) or by
   * releaseHeld(): never left to the garbage collector. Call with an empty arena stack.
   */
  holdForBackward(sizes: readonly number[]): Held {
    this.releaseAbandoned();
    const arena = this.arena;
    const ptrs = sizes.map((n) => (n > 0 ? arena.pin(n) : 0));
    const entry: HeldEntry = {
      ptrs, live: true, tape: activeTape(),
      release: () => {
        if (!entry.live) return;
        entry.live = false;
        this.held.delete(entry);
        ptrs.forEach((p) => p && arena.unpin(p));
      },
    };
    this.held.add(entry);
    return entry;
  }

  /** Releases held blocks whose gradient tape has ended (one other than the latest tape); safe anywhere. */
  releaseAbandoned(): void {
    const tape = activeTape();
    for (const h of [...this.held]) if (h.tape !== tape) h.release();
  }

  /** Releases every held block: between training steps, never inside a gradient computation. */
  releaseHeld(): void {
    for (const h of [...this.held]) h.release();
  }

  /** Stops the worker threads (they never keep the process alive; this frees them sooner). */
  dispose(): void {
    this.pool.stop();
  }
}

/** The gradient tape being recorded: a new array for every outermost tf.grad / variableGrads. */
function activeTape(): unknown {
  return (tf.engine().state as unknown as { activeTape: unknown }).activeTape;
}

let current: Runtime | null = null;

/** The runtime (created by initBackend; in 'reference' mode until it sets one). */
export function runtime(): Runtime {
  return (current ??= new Runtime());
}
