/**
 * The demo pages in a real browser: Debian's chromium, headless, driven by playwright-core, pages
 * served from 127.0.0.1. Greedy generation in the page equals `seqnet generate --greedy`; the
 * page's class probabilities equal `seqnet predict --json` within 1e-4. Screenshots of each page
 * land in $SEQNET_SCREENSHOTS (default: a temp folder) for a person to look at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { runCli } from '../helpers/cli.js';
import { CHROMIUM, launch, serve } from './browser.js';
import { setup, trainRun } from './fixtures.js';

// each test trains a tiny run, exports and bundles it, and drives chromium: seconds alone, but the
// whole suite runs files side by side on 2 cores, so allow for a machine under load
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const PAGE_WAIT = 120_000;

let dir: string;
let browser: Awaited<ReturnType<typeof launch>>;
const shots = process.env.SEQNET_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'seqnet-shots-'));

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does.`);
  dir = await setup();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** Exports `run` as a demo page, serves it and opens it; the page is ready to use. */
async function openDemo(run: string, name: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const web = path.join(dir, `web-${name}`);
  const r = await runCli('export', run, '--web', web);
  expect(r.code, r.err).toBe(0);
  const server = await serve(web);
  const page = await (browser.context as BrowserContext).newPage();
  page.setDefaultTimeout(PAGE_WAIT);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: PAGE_WAIT });
  expect(errors).toEqual([]);
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
  return { page, close: async () => (await page.close(), await server.close()) };
}

const ready = (page: Page) => page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: PAGE_WAIT });

describe('demo pages in headless chromium', () => {
  it('char-LSTM: greedy generation in the page equals `seqnet generate --greedy`', async () => {
    // long enough to learn the corpus' words, so the greedy text is not one repeated character
    const train = 'train:\n  epochs: 15\n  batch_size: 16\n  learning_rate: 0.02\n  log_every: 1000\n';
    const run = await trainRun(dir, 'char-lstm', 'lm', '{ type: lstm, embedding_dim: 8, units: 32, layers: 2 }', train);
    const prime = 'the cat ';
    const cli = await runCli('generate', run, '--prime', prime, '--greedy', '--length', '40');
    expect(cli.code, cli.err).toBe(0);
    const { page, close } = await openDemo(run, 'lm');
    await page.fill('#prime', prime);
    await page.fill('#length', '40');
    await page.$eval('#temperature', (e) => {
      (e as HTMLInputElement).value = '0';
      e.dispatchEvent(new Event('input'));
    });
    await page.click('#go');
    await page.waitForFunction(() => document.body.dataset.state === 'busy' || document.getElementById('generated') !== null);
    await ready(page);
    const text = await page.textContent('#output');
    expect(text).toBe(cli.out.replace(/\n$/, ''));
    expect(new Set(text!.slice(prime.length)).size).toBeGreaterThan(3); // a real continuation, not one repeated character
    await page.screenshot({ path: path.join(shots, 'lm.png'), fullPage: true });
    await close();
  });

  it('classifier: the page shows the probabilities `seqnet predict --json` gives, within 1e-4', async () => {
    const run = await trainRun(dir, 'cls', 'cls', '{ type: lstm, embedding_dim: 6, units: 8, layers: 1, bidirectional: true }');
    const { page, close } = await openDemo(run, 'cls');
    for (const text of ['good film indeed', 'awful poor film', 'an unseen word']) {
      const cli = await runCli('predict', run, '--input', text, '--json');
      expect(cli.code, cli.err).toBe(0);
      const want = (JSON.parse(cli.out) as { results: { probabilities: Record<string, number> }[] }).results[0].probabilities;
      await page.fill('#text', text); // fires input → the page re-classifies
      await ready(page);
      const got = await page.$$eval('[data-prob]', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-label'), Number(e.getAttribute('data-prob'))])));
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      for (const [label, p] of Object.entries(want)) expect(Math.abs(got[label] - p), `${text}: ${label}`).toBeLessThan(1e-4);
    }
    await page.screenshot({ path: path.join(shots, 'classifier.png'), fullPage: true });
    await close();
  });

  it('seq2seq: the page shows the translation seqnet predict gives, with its attention heatmap', async () => {
    const train = 'train:\n  epochs: 8\n  batch_size: 8\n  learning_rate: 0.03\n  log_every: 1000\n';
    const run = await trainRun(dir, 's2s', 's2s', '{ type: seq2seq, units: 8, embedding_dim: 6, bidirectional: true, attention: additive }', train);
    const { page, close } = await openDemo(run, 's2s');
    const cli = await runCli('predict', run, '--input', 'bcde', '--json');
    expect(cli.code, cli.err).toBe(0);
    const [want] = (JSON.parse(cli.out) as { results: { translation: string }[] }).results;
    await page.fill('#text', 'bcde');
    await ready(page);
    expect(await page.textContent('#translation')).toBe(want.translation);
    const rows = await page.$$eval('table.heat tr', (trs) => trs.slice(1).map((tr) => tr.querySelectorAll('td').length));
    expect(rows.length).toBeGreaterThanOrEqual(want.translation.length); // one row per output token (+ <eos>)
    expect(new Set(rows)).toEqual(new Set([4])); // one column per source token
    await page.screenshot({ path: path.join(shots, 'seq2seq.png'), fullPage: true });
    await page.fill('#text', ''); // an emptied box clears the result and the page is ready again
    await ready(page);
    expect(await page.textContent('#translation')).toBe('');
    expect(await page.$$('table.heat')).toHaveLength(0);
    await close();
  });

  it('tagger and forecaster pages render their task', async () => {
    const tag = await openDemo(await trainRun(dir, 'tag', 'tag', '{ type: gru, embedding_dim: 4, units: 6, layers: 1, bidirectional: true }'), 'tag');
    expect(await tag.page.$$eval('.tok', (els) => els.length)).toBeGreaterThan(1);
    await tag.page.screenshot({ path: path.join(shots, 'tagger.png'), fullPage: true });
    await tag.close();
    const fc = await openDemo(await trainRun(dir, 'fc', 'fc', '{ type: lstm, units: 6, layers: 1 }'), 'fc');
    expect(await fc.page.$$eval('circle[data-value]', (els) => els.length)).toBe(2); // horizon 2, one target
    await fc.page.screenshot({ path: path.join(shots, 'forecaster.png'), fullPage: true });
    await fc.close();
  });
});
