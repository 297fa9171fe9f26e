/**
 * Promise 7: long runs do not leak. A child process (node --expose-gc, built dist) trains for a
 * few hundred steps and generates a few thousand tokens; between a point after warm-up and the
 * end, the tfjs tensor count and the wasm arena's pinned bytes must be equal and the arena and
 * the JS heap after GC must not grow beyond noise.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Probe {
  tensors: number;
  arenaPinned: number;
  arenaBytes: number;
  heap: number;
}

describe('long runs', () => {
  it('keep tensors, the wasm arena and the heap flat over ~300 steps and 3,000 generated tokens', () => {
    const dir = fixture({ 'corpus.txt': TINY_CORPUS, 'tiny.yaml': TINY_LM_YAML.replace('epochs: 2', 'epochs: 20') });
    const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, 'leak-child.mjs'), dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<'step50' | 'stepLast' | 'gen0' | 'gen3', Probe & { step?: number; tokens?: number }>;
    expect(m.stepLast.step! - m.step50.step!).toBeGreaterThanOrEqual(250);
    expect(m.stepLast.tensors).toBe(m.step50.tensors);
    expect(m.stepLast.arenaPinned).toBe(m.step50.arenaPinned);
    expect(m.stepLast.arenaBytes).toBe(m.step50.arenaBytes);
    expect(m.stepLast.heap - m.step50.heap).toBeLessThan(4 * 2 ** 20);

    expect(m.gen3.tokens).toBe(3000);
    expect(m.gen3.tensors).toBe(m.gen0.tensors);
    expect(m.gen3.arenaPinned).toBe(m.gen0.arenaPinned);
    expect(m.gen3.arenaBytes).toBe(m.gen0.arenaBytes);
    expect(m.gen3.heap - m.gen0.heap).toBeLessThan(4 * 2 ** 20);
  });
});
