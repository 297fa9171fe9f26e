/** `seqnet train --json`: the event stream parses line by line and follows docs/EVENTS.md; progress modes. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { progressMode } from '../../src/cli/progress.js';
import { eventsReferenceMarkdown, jsonEventHooks, JsonEventSchema, type JsonEvent } from '../../src/train/json-events.js';
import { runCli } from '../helpers/cli.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';

let dir: string;
beforeAll(() => {
  dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
});
afterEach(() => vi.unstubAllEnvs());

const SET = ['--set', 'train.max_steps=6', '--set', 'train.log_every=2', '--set', 'train.eval_every_steps=3'];

describe('train --json', () => {
  it('prints only schema-valid JSON lines on stdout: start, step, eval, checkpoint, end', async () => {
    const out = path.join(dir, 'json');
    const r = await runCli('train', path.join(dir, 'c.yaml'), '--out', out, '--json', ...SET);
    expect(r.code).toBe(0);
    const events = r.out.trim().split('\n').map((line) => JsonEventSchema.parse(JSON.parse(line)));
    expect(events[0]).toMatchObject({ event: 'start', run: out, total_steps: 6, resumed_from: 0 });
    expect(events.at(-1)).toMatchObject({ event: 'end', status: 'finished', steps: 6 });
    expect(events.filter((e) => e.event === 'step').map((e) => (e as { step: number }).step)).toEqual([2, 4, 6]);
    expect(events.filter((e) => e.event === 'eval').map((e) => (e as { step: number }).step)).toEqual([3, 6]);
    expect(events.some((e) => e.event === 'checkpoint' && e.kind === 'best')).toBe(true);
    // human progress and the summary went to stderr (plain lines: stderr is not a terminal here)
    expect(r.err).toMatch(/step 2\/6 · epoch 1\/2/);
    expect(r.err).toMatch(/trained: .*json \(6 steps/);
  });

  it('a baseline fitted in one pass (n-gram) also starts with its run and config hash', async () => {
    const out = path.join(dir, 'ngram');
    const r = await runCli('train', path.join(dir, 'c.yaml'), '--out', out, '--json', '--set', 'model={type: ngram}');
    expect(r.code).toBe(0);
    const events = r.out.trim().split('\n').map((line) => JsonEventSchema.parse(JSON.parse(line)));
    expect(events[0]).toMatchObject({ event: 'start', run: out, total_steps: 0 });
    expect(events.at(-1)).toMatchObject({ event: 'end', status: 'finished' });
  });

  it('warnings follow the schema too', () => {
    const got: JsonEvent[] = [];
    jsonEventHooks((e) => got.push(e)).onWarning!('data: 12% of the tokens are <unk>');
    expect(JsonEventSchema.parse(got[0])).toMatchObject({ event: 'warning', message: 'data: 12% of the tokens are <unk>' });
  });

  it('appends a metrics table to $GITHUB_STEP_SUMMARY', async () => {
    const summary = path.join(dir, 'summary.md');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    const r = await runCli('train', path.join(dir, 'c.yaml'), '--out', path.join(dir, 'gh'), '--quiet', ...SET);
    expect(r.code).toBe(0);
    const md = fs.readFileSync(summary, 'utf8');
    expect(md).toMatch(/^### seqnet train .*gh: finished after 6 steps/);
    expect(md).toMatch(/### test split\n\n\| metric \| value \| baseline \|\n\|---\|---:\|---:\|\n\| loss \| [\d.]+ \| [\d.]+ \|/);
  });

  it('--quiet prints only the final summary', async () => {
    const r = await runCli('train', path.join(dir, 'c.yaml'), '--out', path.join(dir, 'quiet'), '--quiet', ...SET);
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/step \d/);
    expect(r.out).toMatch(/^trained: .*quiet \(6 steps/);
  });

  it('docs/EVENTS.md is current (its tables are generated from the schema)', () => {
    const doc = fs.readFileSync(new URL('../../docs/EVENTS.md', import.meta.url), 'utf8');
    expect(doc).toContain(eventsReferenceMarkdown());
  });
});

describe('progress mode', () => {
  it('is a live bar only on a terminal outside CI', () => {
    const was = process.stderr.isTTY;
    const cols = process.stderr.columns;
    try {
      process.stderr.isTTY = true;
      process.stderr.columns = 100;
      vi.stubEnv('CI', '');
      expect(progressMode(false)).toBe('tty');
      vi.stubEnv('CI', 'true');
      expect(progressMode(false)).toBe('plain');
      expect(progressMode(true)).toBe('quiet');
      process.stderr.isTTY = false;
      vi.stubEnv('CI', '');
      expect(progressMode(false)).toBe('plain');
    } finally {
      process.stderr.isTTY = was;
      process.stderr.columns = cols;
    }
  });
});
