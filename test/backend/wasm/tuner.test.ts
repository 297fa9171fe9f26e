/**
 * The thread tuner's probes: kernel jobs timed through Tuner.timed move them on as products do,
 * but only when workers exist and the work is worth a hand-off (one vs all compares like with like).
 */
import { describe, expect, it } from 'vitest';
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
