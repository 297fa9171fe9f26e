/**
 * Sweeps that run: trials as separate `seqnet train` processes (the built CLI in dist/), a failing
 * trial recorded while the others go on, the leaderboard ranked by metric and mode, and --gather on
 * copied trial folders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLeaderboard, planSweep, renderLeaderboard, runTrials, threadsPerJob, TRIAL_FILE, type Leaderboard, type TrialRecord } from '../../src/sweep/index.js';
import { runCli } from '../helpers/cli.js';
import { fixture, tmpDir, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

/** a trial folder as a sweep leaves it */
function fakeTrial(root: string, index: number, status: TrialRecord['status'], valid?: Record<string, number>, test?: Record<string, number>): string {
  const dir = path.join(root, `${index}-t`);
  fs.mkdirSync(dir, { recursive: true });
  const rec: TrialRecord = { index, name: `${index}-t`, set: { 'model.units': index }, config: 'c.yaml', task: 'classification', status, seconds: 1, ...(status === 'failed' ? { error: 'boom' } : {}) };
  fs.writeFileSync(path.join(dir, TRIAL_FILE), JSON.stringify(rec));
  if (valid) fs.writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ valid, test }));
  return dir;
}

const order = (lb: Leaderboard) => lb.entries.map((e) => [e.index, e.rank]);

describe('leaderboard', () => {
  const root = tmpDir();
  const dirs = [
    fakeTrial(root, 0, 'finished', { loss: 0.5, accuracy: 0.7 }, { accuracy: 0.6 }),
    fakeTrial(root, 1, 'failed'),
    fakeTrial(root, 2, 'finished', { loss: 0.3, accuracy: 0.9 }),
    fakeTrial(root, 3, 'stopped_early', { loss: 0.4, accuracy: 0.8 }),
  ];

  it('ranks by the metric and mode; failed trials last, unranked, with their error', () => {
    expect(order(buildLeaderboard(dirs))).toEqual([[2, 1], [3, 2], [0, 3], [1, null]]); // accuracy, max by default
    expect(order(buildLeaderboard(dirs, 'loss'))).toEqual([[2, 1], [3, 2], [0, 3], [1, null]]); // loss, min by default
    expect(order(buildLeaderboard(dirs, 'accuracy', 'min'))).toEqual([[0, 1], [3, 2], [2, 3], [1, null]]);
    const lb = buildLeaderboard(dirs);
    expect(lb.entries[0]).toMatchObject({ value: 0.9, split: 'valid', test: null });
    expect(lb.entries[3]).toMatchObject({ status: 'failed', error: 'boom', value: null });
    expect(renderLeaderboard(lb, true).split('\n')[2]).toBe('| rank | index | name | status | accuracy (max) | split | test accuracy | seconds | model.units | error |');
  });

  it('a damaged trial.json is a clear run-folder error', () => {
    const bad = fakeTrial(tmpDir(), 5, 'finished', { accuracy: 1 });
    fs.writeFileSync(path.join(bad, TRIAL_FILE), '{"index": 5,');
    expect(() => buildLeaderboard([bad])).toThrow(/trial\.json: not valid JSON .*the trial folder is damaged/);
  });

  it('gives each of N jobs cores/N kernel threads, at least one', () => {
    expect(threadsPerJob(1, 8)).toBe(8);
    expect(threadsPerJob(3, 8)).toBe(2);
    expect(threadsPerJob(4, 2)).toBe(1);
  });
});

describe('seqnet sweep end to end', () => {
  it('runs trials 2 at a time, records a failing one and goes on, then --gather ranks copied trial folders the same', async () => {
    const dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
    const out = path.join(dir, 'sweep');
    // train.init_from=missing passes the schema but fails when the trial starts
    const r = await runCli('sweep', path.join(dir, 'c.yaml'), '--set', 'train.max_steps=3', '--set', 'train.epochs=1',
      '--grid', 'train.learning_rate=[0.01,0.03]', '--grid', 'train.init_from=[null,missing]', '--jobs', '2', '--out', out, '--metric', 'loss');
    expect(r.code, r.err).toBe(0);
    const lb = JSON.parse(fs.readFileSync(path.join(out, 'leaderboard.json'), 'utf8')) as Leaderboard;
    expect(lb).toMatchObject({ metric: 'loss', mode: 'min' });
    expect(lb.entries.map((e) => e.status)).toEqual(['finished', 'finished', 'failed', 'failed']);
    const ok = lb.entries.slice(0, 2);
    expect(ok.map((e) => e.index).sort()).toEqual([0, 2]);
    expect(ok[0].value!).toBeLessThanOrEqual(ok[1].value!);
    expect(lb.entries[2].error).toMatch(/run directory not found: .*missing/);
    expect(fs.readFileSync(path.join(out, 'leaderboard.csv'), 'utf8').split('\n')[0]).toBe(
      'rank,index,name,status,loss (min),split,test loss,seconds,train.learning_rate,train.init_from,error',
    );
    expect(r.out).toMatch(/^rank\s+index\s+name/);

    // the same trial folders, as downloaded from CI artifacts elsewhere
    const collected = tmpDir();
    for (const e of lb.entries) fs.cpSync(e.dir, path.join(collected, `artifact-${e.index}`), { recursive: true });
    const g = await runCli('sweep', '--gather', ...fs.readdirSync(collected).map((d) => path.join(collected, d)), '--metric', 'loss', '--out', collected, '--json');
    expect(g.code, g.err).toBe(0);
    const again = JSON.parse(g.out) as Leaderboard;
    expect(again.entries.map((e) => [e.index, e.rank, e.value])).toEqual(lb.entries.map((e) => [e.index, e.rank, e.value]));
    expect(fs.existsSync(path.join(collected, 'leaderboard.csv'))).toBe(true);
  });

  it('a trial stopped by its time budget is recorded as time_budget, not finished', async () => {
    const dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
    const out = path.join(dir, 'sweep');
    const r = await runCli('sweep', path.join(dir, 'c.yaml'), '--set', 'train.max_steps=20', '--set', 'train.time_budget=1ms', '--grid', 'model.units=[8]', '--trial', '0', '--out', out);
    expect(r.code, r.err).toBe(0);
    const rec = JSON.parse(fs.readFileSync(path.join(out, '0-units=8', TRIAL_FILE), 'utf8')) as TrialRecord;
    expect(rec.status).toBe('time_budget');
  });

  it('once interrupted (Ctrl-C), starts no further trial and records the ones that ran', async () => {
    const dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
    const plan = planSweep(path.join(dir, 'c.yaml'), { grid: ['model.units=[8,12,16]'], set: ['train.max_steps=2', 'train.epochs=1'], out: path.join(dir, 'sweep') });
    const abort = new AbortController();
    const records = await runTrials(plan, plan.trials, { jobs: 1, signal: abort.signal, onDone: () => abort.abort() });
    expect(records.map((r) => [r.index, r.status])).toEqual([[0, 'finished']]);
    expect(fs.readdirSync(path.join(dir, 'sweep'))).toEqual(['0-units=8']);
  });

  it('--gather on a folder that holds no trials: a clear error', async () => {
    const r = await runCli('sweep', '--gather', tmpDir());
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/neither a sweep trial \(no trial\.json\) nor a folder of trials/);
  });
});
