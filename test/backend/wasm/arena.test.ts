/** The wasm arena reclaims freed long-lived blocks even below a block that stays pinned, and says when it is full. */
import { describe, expect, it } from 'vitest';
import { alloc, mark, pin, pinnedBytes, release, unpin } from '../../../src/backend/wasm/index.js';
import { BackendError } from '../../../src/util/errors.js';

describe('wasm arena pins', () => {
  it('reuses a freed block under a live one instead of growing (seq2seq training grew to 2 GiB without this)', () => {
    const start = pinnedBytes();
    const saved = pin(1000); // activations of a training step
    const cache = pin(16); // a long-lived weight cache pinned on top
    unpin(saved);
    const peak = pinnedBytes();
    for (let step = 0; step < 50; step++) {
      const again = pin(1000);
      expect(again).toBe(saved);
      unpin(again);
    }
    expect(pinnedBytes()).toBe(peak);
    unpin(cache);
    expect(pinnedBytes()).toBeGreaterThanOrEqual(start);
  });
});

describe('wasm arena limit', () => {
  it('refuses a block past 2 GiB with a clear error, and stays usable', () => {
    const m = mark();
    expect(() => alloc(600 * 2 ** 20)).toThrow(BackendError);
    expect(() => alloc(600 * 2 ** 20)).toThrow(/2 GiB of WebAssembly memory.*batch_size/);
    expect(mark()).toBe(m);
    const p = alloc(16);
    expect(p).toBe(m);
    release(m);
  });
});
