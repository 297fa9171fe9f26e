/**
 * seqnet/infer over export folders, in a fresh process with plain @tensorflow/tfjs: the same text
 * as `seqnet generate` for the same prime, temperature and seed (recurrent LMs step their state, the
 * transformer re-reads its window), and the answers of `seqnet predict --json` for classify, tag and
 * forecast; no tensor left behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportRun } from '../../src/export/index.js';
import { runCli } from '../helpers/cli.js';
import { runChild, setup, trainRun, webModule } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await setup();
});

interface Job {
  dir: string;
  call: 'generate' | 'classify' | 'tag' | 'forecast' | 'translate';
  args: unknown[];
}

async function exported(name: string, data: string, model: string, train?: string): Promise<{ run: string; out: string }> {
  const run = await trainRun(dir, name, data, model, train);
  const out = path.join(dir, `export-${name}`);
  await exportRun(run, { out, bundle: false });
  return { run, out };
}

const json = async (...args: string[]) => {
  const r = await runCli(...args, '--json');
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { results: unknown[] }).results;
};

describe('seqnet/infer', () => {
  it('generates, classifies, tags and forecasts as the CLI does', async () => {
    const lmTrain = 'train:\n  epochs: 4\n  batch_size: 16\n  learning_rate: 0.02\n  log_every: 1000\n';
    const jobs: Job[] = [];
    const want: unknown[] = [];
    for (const [name, model] of [
      ['lstm', '{ type: lstm, embedding_dim: 8, units: 16, layers: 2 }'],
      ['gru', '{ type: gru, embedding_dim: 8, units: 16, layers: 1 }'],
      ['transformer', '{ type: transformer, d_model: 16, heads: 2, layers: 1 }'],
    ]) {
      const { run, out } = await exported(`lm-${name}`, 'lm', model, lmTrain);
      for (const [prime, t] of [['the cat', '0.9'], ['', '0.7']]) {
        const cli = await runCli('generate', run, '--prime', prime, '--temperature', t, '--seed', '4', '--length', '30', '--top-k', '5');
        expect(cli.code, cli.err).toBe(0);
        jobs.push({ dir: out, call: 'generate', args: [prime, { temperature: Number(t), seed: 4, length: 30, topK: 5 }] });
        want.push(cli.out.replace(/\n$/, ''));
      }
    }
    const cls = await exported('cls', 'cls', '{ type: lstm, embedding_dim: 4, units: 6, layers: 1, bidirectional: true }');
    const tag = await exported('tag', 'tag', '{ type: gru, embedding_dim: 4, units: 6, layers: 1 }');
    const fc = await exported('fc', 'fc', '{ type: lstm, units: 6, layers: 1 }');
    jobs.push({ dir: cls.out, call: 'classify', args: ['good film indeed bad'] }, { dir: tag.out, call: 'tag', args: ['a dog sleeps . the cat runs'] });
    const series = fs.readFileSync(path.join(dir, 'series.csv'), 'utf8').trim().split('\n').slice(1);
    const rows = series.map((l) => l.split(',')).map(([, a, b]) => ({ a: Number(a), b: Number(b) }));
    jobs.push({ dir: fc.out, call: 'forecast', args: [rows] });
    const s2sTrain = 'train:\n  epochs: 8\n  batch_size: 8\n  learning_rate: 0.03\n  log_every: 1000\n';
    const greedy = await exported('s2s-greedy', 's2s', '{ type: seq2seq, units: 8, embedding_dim: 6, bidirectional: true, attention: additive }', s2sTrain);
    const beam = await exported('s2s-beam', 's2s', '{ type: seq2seq, encoder: gru, units: 8, embedding_dim: 6, attention: general, decoding: beam, beam_size: 3 }', s2sTrain);
    const sources = ['abc', 'bcde', 'cab'];
    for (const x of sources) jobs.push({ dir: greedy.out, call: 'translate', args: [x] }, { dir: beam.out, call: 'translate', args: [x] });
    // a row without a feature column, or with a non-number in it, is an error naming the row, not a NaN forecast
    const bad = rows.map((r) => ({ ...r }));
    delete (bad[bad.length - 1] as Partial<(typeof rows)[number]>).b;
    jobs.push({ dir: fc.out, call: 'forecast', args: [bad] }, { dir: fc.out, call: 'forecast', args: [rows.map((r, i) => (i === rows.length - 2 ? { ...r, a: 'n/a' } : r))] });

    const infer = await webModule('infer');
    const jobsFile = path.join(dir, 'infer-jobs.json');
    fs.writeFileSync(jobsFile, JSON.stringify(jobs));
    const got = runChild<{ value: unknown; leaked: number }[]>('infer-run.mjs', [infer, jobsFile]);
    fs.rmSync(infer);
    expect(got.map((g) => g.leaked)).toEqual(jobs.map(() => 0));
    // sampled text: the same tokenizer, sampler and seed as the CLI
    want.forEach((text, i) => expect(got[i].value, `${jobs[i].dir} ${JSON.stringify(jobs[i].args[0])}`).toBe(text));
    const n = want.length;

    const [c] = (await json('predict', cls.run, '--input', 'good film indeed bad')) as { label: string; probabilities: Record<string, number> }[];
    const gc = got[n].value as typeof c;
    expect(gc.label).toBe(c.label);
    for (const [k, p] of Object.entries(c.probabilities)) expect(Math.abs(gc.probabilities[k] - p)).toBeLessThan(1e-5);
    const [t] = (await json('predict', tag.run, '--input', 'a dog sleeps . the cat runs')) as { tokens: string[]; tags: string[] }[];
    expect(got[n + 1].value).toEqual(t);
    const f = (await json('predict', fc.run, '--file', path.join(dir, 'series.csv'))) as unknown as { steps: { values: Record<string, number> }[] };
    const gf = got[n + 2].value as { values: Record<string, number> }[];
    expect(gf).toHaveLength(2);
    gf.forEach((s, h) => expect(Math.abs(s.values.a - f.steps[h].values.a)).toBeLessThan(1e-4));

    // seq2seq: the translation and its log-probability, greedy and beam, with one attention row per output token
    for (const [i, x] of sources.entries()) {
      for (const [j, run] of [greedy.run, beam.run].entries()) {
        const [p] = (await json('predict', run, '--input', x)) as { translation: string; log_prob: number }[];
        const g = got[n + 3 + 2 * i + j].value as { translation: string; logProb: number; attention: number[][]; targetTokens: string[]; sourceTokens: string[] };
        expect(g.translation, `${x} ${run}`).toBe(p.translation);
        expect(Math.abs(g.logProb - p.log_prob)).toBeLessThan(1e-4);
        expect(g.attention).toHaveLength(g.targetTokens.length);
        for (const row of g.attention) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(g.sourceTokens).toHaveLength(x.length); // char tokens
      }
    }
    expect(got[n + 3 + 2 * sources.length].value).toEqual({ error: `forecast: row ${rows.length} has no number for column b (got nothing); every row needs a, b.` });
    expect(got[n + 4 + 2 * sources.length].value).toEqual({ error: `forecast: row ${rows.length - 1} has no number for column a (got "n/a"); every row needs a, b.` });
  });
});
