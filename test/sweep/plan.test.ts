/** Grid expansion, random draws, trial indices from each engine, and bad sweep input. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGrid, parseGrid, planSweep, randomTrials, resolveTrialIndex } from '../../src/sweep/index.js';
import { runCli } from '../helpers/cli.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

describe('grid', () => {
  it('expands in the documented order: flag order, the last key fastest', () => {
    const t = expandGrid(parseGrid(['model.units=[64,128]', 'train.learning_rate=[1e-3,3e-3]', 'model.layers=[1,2]']));
    expect(t.map((x) => Object.values(x.set))).toEqual([
      [64, 0.001, 1], [64, 0.001, 2], [64, 0.003, 1], [64, 0.003, 2],
      [128, 0.001, 1], [128, 0.001, 2], [128, 0.003, 1], [128, 0.003, 2],
    ]);
    expect(t.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(t[5].name).toBe('5-units=128_learning_rate=0.001_layers=2');
  });

  it('draws distinct random trials, the same ones under the same seed', () => {
    const axes = parseGrid(['a.b=[1,2,3,4,5]', 'c.d=[x,y,z]']);
    const a = randomTrials(axes, 6, 7);
    expect(randomTrials(axes, 6, 7)).toEqual(a);
    expect(a.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(a.map((t) => JSON.stringify(t.set))).size).toBe(6);
    expect(randomTrials(axes, 6, 8).map((t) => t.set)).not.toEqual(a.map((t) => t.set));
    // N past the grid size: every point once
    expect(new Set(randomTrials(axes, 99, 1).map((t) => JSON.stringify(t.set))).size).toBe(15);
  });

  it('reads a single value as a list of one, and rejects empty or nested lists', () => {
    expect(parseGrid(['train.epochs=3'])[0].values).toEqual([3]);
    expect(() => parseGrid(['train.epochs=[]'])).toThrow(/empty list/);
    expect(() => parseGrid([])).toThrow(/empty grid/);
    expect(() => parseGrid(['model.units=[[1]]'])).toThrow(/must be a number, string/);
    expect(() => parseGrid(['units'])).toThrow(/expected key.path=\[value/);
    expect(() => parseGrid(['a.b=[1]', 'a.b=[2]'])).toThrow(/given twice/);
  });
});

describe('trial index', () => {
  it('comes from --trial, then SEQNET_TRIAL_INDEX, JOB_COMPLETION_INDEX (0-based), CI_NODE_INDEX (1-based)', () => {
    const env = { SEQNET_TRIAL_INDEX: '4', JOB_COMPLETION_INDEX: '2', CI_NODE_INDEX: '3' };
    expect(resolveTrialIndex('1', env)).toEqual({ index: 1, from: '--trial' });
    expect(resolveTrialIndex(undefined, env)).toEqual({ index: 4, from: 'SEQNET_TRIAL_INDEX' });
    expect(resolveTrialIndex(undefined, { JOB_COMPLETION_INDEX: '0', CI_NODE_INDEX: '3' })).toEqual({ index: 0, from: 'JOB_COMPLETION_INDEX' });
    expect(resolveTrialIndex(undefined, { CI_NODE_INDEX: '1' })).toEqual({ index: 0, from: 'CI_NODE_INDEX' });
    expect(resolveTrialIndex(undefined, { CI_NODE_INDEX: '3' })).toEqual({ index: 2, from: 'CI_NODE_INDEX' });
    expect(resolveTrialIndex(undefined, {})).toBeUndefined();
    expect(() => resolveTrialIndex(undefined, { CI_NODE_INDEX: '0' })).toThrow(/CI_NODE_INDEX=0: expected a whole number ≥ 1/);
    expect(() => resolveTrialIndex('x', {})).toThrow(/--trial=x/);
  });
});

describe('seqnet sweep: bad input and planning', () => {
  const dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
  const cfg = path.join(dir, 'c.yaml');

  it('checks every trial against the config schema before running', () => {
    const p = planSweep(cfg, { grid: ['model.units=[4,8]'], out: path.join(dir, 's') });
    expect(p.trials).toHaveLength(2);
    expect(p.root).toBe(path.join(dir, 's'));
    expect(planSweep(cfg, { grid: ['model.units=[4]'] }).root).toBe(path.join('runs', 'tiny-sweep'));
  });

  it.each([
    [['--grid', 'model.unts=[4,8]'], 2, /unknown key `unts`.*did you mean `units`\?.*\(from --grid\)/s],
    [['--grid', 'model.units=[4,big]'], 2, /model\.units: expected number, got string \(from --grid\)/],
    [['--grid', 'model.units=[]'], 2, /empty list/],
    [[], 2, /empty grid/],
    [['--grid', 'model.units=[4]', '--jobs', '0'], 2, /--jobs 0: expected at least 1/],
    [['--trial', '0'], 2, /--trial 0: a trial index needs the sweep's --grid flags/],
    [['--grid', 'model.units=[4]', '--metric', 'bits_per_tokn'], 2, /--metric bits_per_tokn: language_model runs do not report it — did you mean bits_per_token\?/],
  ])('sweep %j → exit %i with a clear message', async (args, code, msg) => {
    const r = await runCli('sweep', cfg, ...(args as string[]));
    expect(r.code).toBe(code);
    expect(r.err).toMatch(msg as RegExp);
    expect(r.err).not.toMatch(/internal error|at .*\.ts:\d+/);
  });

  it('--list --json prints the trial matrix and runs nothing', async () => {
    const r = await runCli('sweep', cfg, '--grid', 'model.units=[4,8]', '--grid', 'train.learning_rate=[0.01,0.02]', '--list', '--json', '--out', path.join(dir, 'never'));
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual({ index: 1, name: '1-units=4_learning_rate=0.02', set: { 'model.units': 4, 'train.learning_rate': 0.02 } });
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('an index past the end exits 0 and says there is nothing to do', async () => {
    process.env.JOB_COMPLETION_INDEX = '2';
    try {
      const r = await runCli('sweep', cfg, '--grid', 'model.units=[4,8]', '--out', path.join(dir, 'never'));
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/trial 2 \(from JOB_COMPLETION_INDEX\): nothing to do; the sweep has 2 trials/);
      expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
    } finally {
      delete process.env.JOB_COMPLETION_INDEX;
    }
  });
});
