/** The wasm arena reclaims freed long-lived blocks even below a block that stays pinned. */
import { describe, expect, it } from 'vitest';
import { pin, pinnedBytes, unpin } from '../../src/backend/kernels/arena.js';

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
