/**
 * Pinned wasm copies of weight arrays (packed for the products), reused between inference calls
 * while the arrays and the weights version are unchanged: generating one token at a time then
 * does not copy and repack ~1 MB per layer per token. Owned by the runtime. Memory comes back
 * deterministically: an entry is unpinned when a lookup finds it stale (the weights version
 * moved: the fused Adam writes in place, or one of its arrays was collected), when it is the
 * oldest past MAX_ENTRIES, or on clear().
 */
import type { Arena } from './arena.js';

/** entries: every weight matrix of a mid-size model (a transformer has 4 per block) */
const MAX_ENTRIES = 128;

interface Entry {
  keys: WeakRef<Float32Array>[];
  /** null keys (an absent optional weight) kept in place */
  absent: boolean[];
  version: number;
  ptrs: number[];
  value: unknown;
}

export class PinnedCache {
  private entries: Entry[] = [];
  /**
   * the entries by their first array, so a lookup (one per weight matrix per generated token)
   * compares a few entries, not all of them
   */
  private byFirst = new WeakMap<Float32Array, Entry[]>();

  constructor(private readonly arena: () => Arena) {}

  /**
   * The value built for exactly these arrays at this weights version, else `build()`'s (which
   * pins the blocks it lists in ptrs). Call with an empty arena stack.
   */
  get<T>(keys: (Float32Array | null)[], version: number, build: () => { value: T; ptrs: number[] }): T {
    const same = (e: Entry) => e.keys.length === keys.length && keys.every((k, i) => (k ? e.keys[i].deref() === k : e.absent[i]));
    const first = keys.find((k): k is Float32Array => k !== null);
    const hit = (first ? this.byFirst.get(first) ?? [] : this.entries).find((e) => e.version === version && same(e));
    if (hit) return hit.value as T;
    this.drop((e) => e.version !== version || same(e) || e.keys.some((r, i) => !e.absent[i] && !r.deref()));
    while (this.entries.length >= MAX_ENTRIES) this.unpin(this.entries.shift() as Entry);
    const { value, ptrs } = build();
    const entry: Entry = {
      keys: keys.map((k) => new WeakRef(k ?? new Float32Array(0))), absent: keys.map((k) => !k), version, ptrs, value,
    };
    this.entries.push(entry);
    if (first) this.byFirst.set(first, [...(this.byFirst.get(first) ?? []), entry]);
    return value;
  }

  /** Unpins every entry. */
  clear(): void {
    this.drop(() => true);
  }

  /** Entries held. */
  get size(): number {
    return this.entries.length;
  }

  private drop(stale: (e: Entry) => boolean): void {
    const keep: Entry[] = [];
    for (const e of this.entries) (stale(e) ? this.unpin(e) : keep.push(e));
    this.entries = keep;
  }

  private unpin(e: Entry): void {
    const arena = this.arena();
    e.ptrs.forEach((p) => p && arena.unpin(p));
    const first = e.keys.find((_, i) => !e.absent[i])?.deref();
    const list = first && this.byFirst.get(first);
    if (list) this.byFirst.set(first, list.filter((x) => x !== e));
  }
}

/**
 * One pinned copy of the last input array several ops read in turn (TextCNN's widths all
 * convolve one embedded batch), reused while the same array comes back with the same tag (its
 * layout). Holds that one array strongly: a WeakRef would keep every array it ever saw alive
 * until the synchronous job (an inference loop) ends. Owned by the runtime; the next input, or
 * clear(), unpins it.
 */
export class PinnedInput {
  private key: Float32Array | null = null;
  private tag = '';
  private ptr = 0;

  constructor(private readonly arena: () => Arena) {}

  /** The block build() pinned for exactly this array and tag, else a new one. Call with an empty arena stack. */
  get(x: Float32Array, tag: string, build: () => number): number {
    if (x === this.key && tag === this.tag) return this.ptr;
    this.clear();
    this.ptr = build();
    this.key = x;
    this.tag = tag;
    return this.ptr;
  }

  clear(): void {
    if (this.ptr) this.arena().unpin(this.ptr);
    this.key = null;
    this.ptr = 0;
  }
}
