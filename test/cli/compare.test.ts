/** `seqnet compare` on three runs: differing keys, metrics, baseline, sorting, JSON and a pattern. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/eval/compare.js';
import { runCli } from '../helpers/cli.js';
import { tinyRuns } from '../helpers/runs.js';

let dir: string;
beforeAll(async () => {
  dir = await tinyRuns({
    a: [],
    b: ['train.learning_rate=0.03'],
    c: ['model.units=8', 'train.max_steps=2'],
  });
  fs.mkdirSync(path.join(dir, 'runs', 'notes'));
});

describe('seqnet compare', () => {
  it('gives one row per run with the config keys that differ, status, steps, test metrics and baseline', () => {
    const c = compareRuns([path.join(dir, 'runs', '*')]);
    expect(c.runs.map((r) => path.basename(r.run))).toEqual(['a', 'b', 'c']);
    expect(c.skipped.map((s) => path.basename(s))).toEqual(['notes']);
    expect(c.differing.sort()).toEqual(['model.units', 'train.learning_rate', 'train.max_steps']);
    expect(c.runs.map((r) => r.steps)).toEqual([4, 4, 2]);
    expect(c.runs.every((r) => r.status === 'finished' && r.split === 'test')).toBe(true);
    expect(c.metrics).toContain('perplexity');
    expect(c.baselines).toContain('unigram_perplexity');
    // the baseline depends on the data only: the same for every run
    expect(new Set(c.runs.map((r) => r.baseline.unigram_perplexity)).size).toBe(1);
  });

  it('--sort orders best first; --json gives the same data', async () => {
    const runs = ['a', 'b', 'c'].map((n) => path.join(dir, 'runs', n));
    const r = await runCli('compare', ...runs, '--sort', 'perplexity', '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out);
    const p = c.runs.map((x: { metrics: { perplexity: number } }) => x.metrics.perplexity);
    expect(p).toEqual([...p].sort((x, y) => x - y));
    expect(c.sortedBy).toBe('perplexity');
  });

  it('prints a table', async () => {
    const r = await runCli('compare', path.join(dir, 'runs', '*'));
    expect(r.code).toBe(0);
    const [head, ...rows] = r.out.trim().split('\n');
    expect(head).toMatch(/^run +status +steps +wall +model\.units +train\.learning_rate +train\.max_steps +loss +perplexity/);
    expect(rows.filter((l) => l.includes('finished'))).toHaveLength(3);
    expect(r.err).toMatch(/notes is not a run directory; skipped/);
  });

  it('--plot (and plot --compare) onto a folder: a usage error before any output, no stack', async () => {
    const folder = path.join(dir, 'runs', 'notes');
    for (const args of [['compare', path.join(dir, 'runs', 'a'), '--plot', folder], ['plot', path.join(dir, 'runs', 'a'), '--compare', folder]]) {
      const r = await runCli(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/cannot write there \(it is a folder\)/);
      expect(r.out).toBe('');
    }
  });
});
