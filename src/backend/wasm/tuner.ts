/**
 * How many threads a large product uses. Threads only pay when the cores are free; with other
 * processes on them a descheduled worker stalls every product. So large products alternate short
 * probes (PROBE_MS of work on one thread, then on all) and then run RUN_MS on all threads unless
 * one was clearly faster (CLEAR_RUN_MS when all were): the probes see different mixes of products, so a near tie is noise,
 * and betting on one thread then halves the speed for RUN_MS. Tests pin the choice with
 * configure(n, minWork, false).
 */
import { availableParallelism } from 'node:os';

const PROBE_MS = 60, RUN_MS = 3000;
/**
 * How long all threads run after probes in which they were clearly faster (by CLEAR): the one-thread
 * probe costs about half its length each time (~1% of a 3 s run), and a clear win rarely turns.
 */
const CLEAR = 1.3, CLEAR_RUN_MS = 12000;
/**
 * Multiply-adds below which a product stays on one thread: 32M, 0.1-0.2 ms of work. A hand-off
 * costs 10-50 µs when the worker is polling, but one woken after a stretch of JS work often
 * starts much later (V8's GC threads hold the other core then): W3's three output-layer products
 * (17M each) waited 0.5 ms a run for it, and run 3% faster a training step alone. Neutral on W1,
 * W2, W4, W5 (in-process A/B against 2M).
 */
export const DEFAULT_MIN_WORK = 1 << 25;

type Phase = 'one' | 'all' | 'run';

/** SEQNET_THREADS, else the core count (max 4). */
export function defaultThreads(): number {
  const env = Number(process.env.SEQNET_THREADS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.min(availableParallelism(), 4);
}

export class Tuner {
  /** threads used for large products, this one included; 1 = no workers */
  threads = defaultThreads();
  /** multiply-adds below which work stays on this thread */
  minParallelWork = DEFAULT_MIN_WORK;
  private autotune = true;
  private phase: Phase = 'one';
  private macs = 0;
  private ms = 0;
  private rateOne = 0;
  private useAll = true;
  private until = 0;

  /** Sets the thread count, the hand-off threshold and whether to tune; restarts the probes. */
  configure(n: number, minWork: number, tuned: boolean): void {
    this.autotune = tuned;
    this.threads = Math.max(1, Math.floor(n));
    this.minParallelWork = minWork;
    this.phase = 'one';
    this.macs = this.ms = this.rateOne = this.until = 0;
    this.useAll = true;
  }

  /** Whether the next large product should use the workers. */
  wantParallel(): boolean {
    if (!this.autotune) return true;
    if (this.phase === 'run') {
      if (performance.now() < this.until) return this.useAll;
      this.phase = 'one';
      this.macs = this.ms = 0;
    }
    return this.phase === 'all';
  }

  /** Records a timed product of `macs` multiply-adds that took `ms`. */
  record(macs: number, ms: number): void {
    if (!this.autotune || this.phase === 'run') return;
    this.macs += macs;
    this.ms += ms;
    if (this.ms < PROBE_MS) return;
    const rate = this.macs / this.ms;
    if (this.phase === 'one') {
      this.phase = 'all';
      this.rateOne = rate;
    } else {
      this.phase = 'run';
      this.useAll = rate > 0.8 * this.rateOne;
      this.until = performance.now() + (rate > CLEAR * this.rateOne ? CLEAR_RUN_MS : RUN_MS);
    }
    this.macs = this.ms = 0;
  }

  /**
   * Runs fn: `work` multiply-adds of kernel jobs (conv tiles, timestep loops) that the caller
   * spreads over the threads when wantParallel() says so, as products are; recorded like a
   * product when workers exist (workersReady) and the work is worth a hand-off, so that a model
   * made mostly of such jobs moves the probes on (without records they would stay on one thread).
   */
  timed<T>(work: number, workersReady: boolean, fn: () => T): T {
    if (!this.autotune || this.threads <= 1 || !workersReady || work < this.minParallelWork) return fn();
    const t0 = performance.now();
    const r = fn();
    this.record(work, performance.now() - t0);
    return r;
  }

  /** What large products currently get: 'all' threads, 'one', or 'probing'. */
  choice(): 'all' | 'one' | 'probing' {
    if (!this.autotune) return 'all';
    return this.phase === 'run' ? (this.useAll ? 'all' : 'one') : 'probing';
  }
}
