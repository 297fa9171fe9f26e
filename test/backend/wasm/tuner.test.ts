/**
 * The thread tuner's probes: kernel jobs timed through Tuner.timed move them on as products do,
 * but only when workers exist and the work is worth a hand-off (one vs all compares like with like).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tuner } from '../../../src/backend/wasm/tuner.js';

/** Busy work for ms milliseconds (the probes add up measured time). */
const spin = (ms: number) => () => {
  for (const end = performance.now() + ms; performance.now() < end;);
  return 7;
};

describe('Tuner.timed', () => {
  it('records jobs with workers ready: a probe of one thread, then of all, then a choice', () => {
    const t = new Tuner();
    t.configure(2, 1000, true);
    expect(t.wantParallel()).toBe(false); // probing one thread first
    expect(t.timed(1 << 20, true, spin(65))).toBe(7);
    expect(t.wantParallel()).toBe(true); // then all threads
    t.timed(1 << 20, true, spin(65));
    expect(t.choice()).not.toBe('probing');
  });

  it('leaves the probes alone without workers, below the hand-off threshold, or when not tuning', () => {
    const t = new Tuner();
    t.configure(2, 1000, true);
    t.timed(1 << 20, false, spin(65)); // no worker has started
    t.timed(999, true, spin(65)); // too small to hand off
    expect(t.choice()).toBe('probing');
    expect(t.wantParallel()).toBe(false);
    t.configure(2, 1000, false);
    expect(t.timed(1 << 20, true, spin(1))).toBe(7);
    expect(t.choice()).toBe('all');
  });
});

describe('Tuner run length', () => {
  afterEach(() => vi.restoreAllMocks());

  /** probes one thread at `one` and all at `all` multiply-adds per ms, at a clock this test moves */
  function probed(one: number, all: number) {
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const t = new Tuner();
    t.configure(2, 1000, true);
    t.record(one * 61, 61);
    t.record(all * 61, 61);
    return { t, at: (ms: number) => (now = 1000 + ms) };
  }

  it('runs all threads 12 s after a clear win, then probes again', () => {
    const { t, at } = probed(100, 190);
    at(11_000);
    expect(t.wantParallel()).toBe(true);
    expect(t.choice()).toBe('all');
    at(12_500);
    expect(t.wantParallel()).toBe(false); // the next one-thread probe
  });

  it('re-probes after 3 s when all threads were only a little faster, and stays on one when they were slower', () => {
    const near = probed(100, 110);
    near.at(3_500);
    expect(near.t.wantParallel()).toBe(false);
    vi.restoreAllMocks();
    const slow = probed(100, 70);
    slow.at(1_000);
    expect(slow.t.wantParallel()).toBe(false);
    expect(slow.t.choice()).toBe('one');
  });
});
