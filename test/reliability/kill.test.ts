/**
 * Promise 1: killed at any moment, nothing lost. `seqnet train` is killed with SIGKILL inside each
 * stage of a checkpoint write (test seam), before any checkpoint, and at seeded random moments;
 * every time `last`/`best` load (eval, generate) or eval says there is no checkpoint yet, and
 * --resume continues. A failed checkpoint write keeps the previous checkpoint and stops clearly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveDir } from '../../src/util/fs.js';
import { Rng } from '../../src/util/rng.js';
import { kill9, lmFixture, run, seqnet, sleep, waitForFile } from './helpers.js';

/** 200 epochs × 16 steps: the runs last longer than the random kill times */
const TOTAL_STEPS = 3200;
const leftovers = (dir: string) => fs.readdirSync(dir).filter((n) => /\.(tmp|old)-/.test(n));

/** eval and generate both load, and a resume runs one more epoch to the end. */
async function expectUsable(cwd: string, out: string): Promise<void> {
  const ev = await run(cwd, ['eval', out, '--json']);
  expect(ev.err).not.toMatch(/internal error/);
  expect(ev.code, ev.err).toBe(0);
  const gen = await run(cwd, ['generate', out, '--checkpoint', 'last', '--length', '5']);
  expect(gen.code, gen.err).toBe(0);
  // a kill between the two renames of a swap leaves last/ set aside: read it where eval found it
  const { step } = JSON.parse(fs.readFileSync(path.join(liveDir(path.join(cwd, out, 'last'))!, 'state.json'), 'utf8')) as { step: number };
  const res = await run(cwd, ['train', 'tiny.yaml', '--out', out, '--resume', '--set', `train.max_steps=${step + 16}`, '--quiet']);
  expect(res.code, res.err).toBe(0);
  expect(res.out).toMatch(new RegExp(`\\(${Math.min(step + 16, TOTAL_STEPS)} steps`));
  expect(leftovers(path.join(cwd, out))).toEqual([]);
}

describe('kill -9 during training', () => {
  it.each([
    ['write', 3],
    ['swap', 4],
    ['cleanup', 4],
  ] as const)('inside the checkpoint writer (%s, checkpoint %i): last and best load, --resume continues', async (stage, n) => {
    const cwd = lmFixture();
    const flag = path.join(cwd, 'paused');
    const child = seqnet(cwd, ['train', 'tiny.yaml', '--out', 'runs/k', '--quiet'], { SEQNET_TEST_PAUSE_IN_CHECKPOINT: `${flag}:${stage}:${n}` });
    expect(await waitForFile(flag, child), child.err()).toBe(true);
    await kill9(child);
    if (stage === 'swap') expect(leftovers(path.join(cwd, 'runs/k')).some((n) => n.startsWith('last.old-') || n.startsWith('best.old-'))).toBe(true);
    await expectUsable(cwd, 'runs/k');
  });

  it('before any checkpoint: eval says there is none yet (exit 4)', async () => {
    const cwd = lmFixture();
    const flag = path.join(cwd, 'paused');
    const child = seqnet(cwd, ['train', 'tiny.yaml', '--out', 'runs/k', '--quiet'], { SEQNET_TEST_PAUSE_IN_CHECKPOINT: `${flag}:swap:1` });
    expect(await waitForFile(flag, child), child.err()).toBe(true);
    await kill9(child);
    const ev = await run(cwd, ['eval', 'runs/k']);
    expect(ev.code).toBe(4);
    expect(ev.err).toMatch(/no checkpoint yet/);
    expect(ev.err).not.toMatch(/internal error|\n\s+at /);
  });

  it('inside a numbered checkpoint write: last/ is at that step (not the epoch start), numbered ones load by step, the next train tidies checkpoints/', async () => {
    const cwd = lmFixture();
    const flag = path.join(cwd, 'paused');
    const every = ['--set', 'train.checkpoint.every_steps=3', '--set', 'train.tbptt=4'];
    // writes: last@3, step-3, last@6, step-6 (paused there)
    const child = seqnet(cwd, ['train', 'tiny.yaml', '--out', 'runs/n', '--quiet', ...every], { SEQNET_TEST_PAUSE_IN_CHECKPOINT: `${flag}:write:4` });
    expect(await waitForFile(flag, child), child.err()).toBe(true);
    await kill9(child);
    const ckpts = path.join(cwd, 'runs/n/checkpoints');
    expect(leftovers(ckpts)).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(cwd, 'runs/n/last/state.json'), 'utf8')).step).toBe(6);
    // the numbered checkpoint records the run's tokenizer, as best/ and last/ do
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(ckpts, 'step-0000003/checkpoint.json'), 'utf8')).tokenizers)).toEqual(['tokenizer.json']);
    // a numbered checkpoint loads by its step; a missing one lists those there are
    const ev = await run(cwd, ['eval', 'runs/n', '--checkpoint', 'step-3', '--json']);
    expect(ev.code, ev.err).toBe(0);
    const gone = await run(cwd, ['generate', 'runs/n', '--checkpoint', '6', '--length', '3']);
    expect(gone.code).toBe(4);
    expect(gone.err).toMatch(/step-0000006: no such checkpoint; the run has step-0000003/);
    const res = await run(cwd, ['train', 'tiny.yaml', '--out', 'runs/n', '--resume', '--set', 'train.max_steps=7', ...every]);
    expect(res.code, res.err).toBe(0);
    expect(res.err).toMatch(/resuming at step 6/);
    expect(leftovers(ckpts)).toEqual([]);
  });

  it('at seeded random moments: never a broken run directory', async () => {
    const rng = new Rng(11);
    for (let k = 0; k < 3; k++) {
      const cwd = lmFixture(TOTAL_STEPS / 16);
      const child = seqnet(cwd, ['train', 'tiny.yaml', '--out', 'runs/r', '--quiet']);
      await sleep(300 + Math.floor(rng.next() * 1500));
      await kill9(child);
      const ev = await run(cwd, ['eval', 'runs/r', '--checkpoint', 'last']);
      expect(ev.err).not.toMatch(/internal error/);
      if (ev.code === 4 && /no checkpoint yet|not found|not a seqnet run/.test(ev.err)) continue; // killed before the first save
      expect(ev.code, ev.err).toBe(0);
      await expectUsable(cwd, 'runs/r');
    }
  });
});

describe('a checkpoint write that fails', () => {
  it.each(['ENOSPC', 'EACCES'])('%s keeps the previous checkpoint and stops with a clear error', async (code) => {
    const cwd = lmFixture(6);
    const r = await run(cwd, ['train', 'tiny.yaml', '--out', 'runs/f', '--quiet'], { SEQNET_TEST_FAIL_CHECKPOINT: `${code}:4` });
    expect(r.code).toBe(4);
    expect(r.err).toMatch(code === 'ENOSPC' ? /disk is full \(ENOSPC\)/ : /permission denied \(EACCES\)/);
    expect(r.err).toMatch(/previous checkpoint in .* is intact/);
    expect(r.err).not.toMatch(/internal error/);
    const dir = path.join(cwd, 'runs/f');
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
    await expectUsable(cwd, 'runs/f');
  });
});
