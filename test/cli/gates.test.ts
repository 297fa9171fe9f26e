/** `seqnet eval --assert/--out/--junit`: parsing, baseline arithmetic, reports, GitHub output and exit codes. */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkAssertions, parseAssertion } from '../../src/eval/assert.js';
import { junitXml, writeReport, type EvalReport } from '../../src/eval/report.js';
import { runCli } from '../helpers/cli.js';
import { tinyRuns } from '../helpers/runs.js';
import { tmpDir } from '../helpers/tmp.js';

let dir: string;
let run: string;
beforeAll(async () => {
  dir = await tinyRuns({ a: [] });
  run = path.join(dir, 'runs', 'a');
});
afterEach(() => vi.unstubAllEnvs());

describe('assertion parsing', () => {
  it.each([
    ['accuracy>=0.85', { metric: 'accuracy', op: '>=', usesBaseline: false, offset: 0.85 }],
    ['perplexity < 12', { metric: 'perplexity', op: '<', usesBaseline: false, offset: 12 }],
    ['accuracy>=baseline+0.10', { metric: 'accuracy', op: '>=', usesBaseline: true, scale: 1, offset: 0.1 }],
    ['loss<=baseline-1e-2', { usesBaseline: true, scale: 1, offset: -0.01 }],
    ['mae<=0.8*baseline', { metric: 'mae', op: '<=', usesBaseline: true, scale: 0.8, offset: 0 }],
    ['mae<=baseline*0.8', { usesBaseline: true, scale: 0.8 }],
    ['f1/pos>.5', { metric: 'f1/pos', op: '>', offset: 0.5 }],
  ])('%s', (text, expected) => expect(parseAssertion(text)).toMatchObject(expected));

  it.each(['accuracy', 'accuracy>=', '>=0.8', 'accuracy=>0.8', 'accuracy>=baseline+', 'accuracy>=high', 'acc>=0.8 please'])('refuses %s', (text) => {
    expect(() => parseAssertion(text)).toThrow(/malformed assertion; write METRIC OP VALUE/);
  });

  it('computes the expected value from the baseline, and the margin', () => {
    const [a, b] = checkAssertions([parseAssertion('accuracy>=baseline+0.10'), parseAssertion('mae<=0.8*baseline')], { accuracy: 0.7, mae: 1 }, {
      majority_accuracy: 0.5,
      naive_mae: 2,
      'naive_mae/t+1': 9,
    });
    expect(a).toMatchObject({ expected: 0.6, baseline: 0.5, passed: true });
    expect(a.margin).toBeCloseTo(0.1);
    expect(b).toMatchObject({ expected: 1.6, passed: true });
    expect(b.margin).toBeCloseTo(0.6);
    const [c] = checkAssertions([parseAssertion('accuracy>0.9')], { accuracy: 0.7 }, null);
    expect(c.passed).toBe(false);
    expect(c.margin).toBeCloseTo(-0.2);
  });
});

describe('seqnet eval gates', () => {
  it('reports the checkpoint it scored: last when a run stopped before its first best', async () => {
    const early = path.join(dir, 'runs', 'early');
    fs.cpSync(run, early, { recursive: true });
    fs.rmSync(path.join(early, 'best'), { recursive: true });
    const m = JSON.parse(fs.readFileSync(path.join(early, 'manifest.json'), 'utf8'));
    fs.writeFileSync(path.join(early, 'manifest.json'), JSON.stringify({ ...m, status: 'diverged' }));
    const r = await runCli('eval', early, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ checkpoint: 'last' });
  });

  it('passes: exit 0, the JSON report (--out equals --json) and a JUnit file without failures', async () => {
    const out = path.join(dir, 'reports', 'ok.json');
    const xml = path.join(dir, 'reports', 'ok.xml');
    const r = await runCli('eval', run, '--assert', 'perplexity<1000', '--assert', 'perplexity<=2*baseline', '--json', '--out', out, '--junit', xml);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(printed);
    expect(printed).toMatchObject({ task: 'language_model', split: 'test', run, checkpoint: 'best', passed: true, seqnet_version: expect.any(String) });
    expect(Object.keys(printed.metrics)).toContain('perplexity');
    expect(printed.baseline).toHaveProperty('unigram_perplexity');
    expect(printed.assertions).toHaveLength(2);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(fs.readFileSync(xml, 'utf8'));
    const suite = doc.testsuites.testsuite;
    expect(suite['@_tests']).toBe('2');
    expect(suite['@_failures']).toBe('0');
    expect(suite.properties.property.map((p: Record<string, string>) => p['@_name'])).toContain('perplexity');
  });

  it('fails: exit 1, each failure with its actual value and margin, a JUnit failure, ::error:: and a step summary on GitHub', async () => {
    const xml = path.join(dir, 'fail.xml');
    const summary = path.join(dir, 'summary.md');
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    const r = await runCli('eval', run, '--assert', 'perplexity<1.5', '--assert', 'perplexity<1000', '--junit', xml);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL perplexity<1\.5: perplexity is [\d.]+, expected < 1\.5 \(short by [\d.]+\)/);
    expect(r.out).toMatch(/ok {3}perplexity<1000/);
    expect(r.err).toMatch(/^::error title=seqnet eval::failed: perplexity<1\.5: perplexity is/m);
    expect(r.err).toMatch(/1 of 2 assertion\(s\) failed/);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(fs.readFileSync(xml, 'utf8'));
    const cases = doc.testsuites.testsuite.testcase;
    expect(cases).toHaveLength(2);
    expect(cases[0].failure['@_message']).toMatch(/^perplexity<1\.5: perplexity is [\d.]+, expected < 1\.5/);
    expect(cases[1].failure).toBeUndefined();
    const md = fs.readFileSync(summary, 'utf8');
    expect(md).toMatch(/\| metric \| value \| baseline \|/);
    expect(md).toMatch(/\| perplexity \| [\d.]+ \| [\d.]+ \|/);
    expect(md).toMatch(/❌ perplexity<1\.5/);
  });
});

describe('JUnit report', () => {
  it('strips terminal colour codes from every string', () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
    const report: EvalReport = {
      seqnet_version: '0', run: red('runs/x'), task: 'classification', split: 'test', on: 'test split', checkpoint: 'best',
      metrics: { [`f1/${red('spam')}`]: 0.5, accuracy: 0.5 }, baseline: null, warnings: [], passed: false,
      assertions: [{ assertion: red('accuracy>0.9'), metric: 'accuracy', op: '>', actual: 0.5, expected: 0.9, baseline: null, passed: false, margin: -0.4 }],
    };
    const xml = junitXml(report);
    expect(xml).not.toMatch(/\u001b/);
    expect(xml).toContain('name="f1/spam"');
    expect(xml).toMatch(/<failure message="accuracy>0\.9: accuracy is 0\.5, expected > 0\.9 \(short by 0\.4\)"/);
  });
});

describe('writeReport', () => {
  it('writes into a pipe or device (--out /dev/stdout) instead of renaming a file over it', async () => {
    const dir = tmpDir();
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    const read = new Promise<string>((resolve) => {
      let s = '';
      reader.stdout.on('data', (d) => (s += d));
      reader.on('close', () => resolve(s));
    });
    try {
      writeReport(fifo, '{"passed":true}\n', '--out');
      expect(fs.statSync(fifo).isFIFO()).toBe(true);
      expect(await read).toBe('{"passed":true}\n');
    } finally {
      reader.kill();
    }
  });
});
