/**
 * Promise 2: one run directory, one writer. A second `train` into a live run's folder is refused
 * (with or without --overwrite) naming the owner's pid and host; a stale lock is taken over with a
 * notice; readers get a whole checkpoint while the run keeps replacing it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { kill9, lmFixture, run, seqnet, waitForFile } from './helpers.js';

describe('the run-directory lock', () => {
  it('refuses a second writer, with or without --overwrite, naming pid and host', async () => {
    const cwd = lmFixture(400);
    const owner = seqnet(cwd, ['train', 'tiny.yaml', '--out', 'runs/x', '--quiet']);
    try {
      expect(await waitForFile(path.join(cwd, 'runs/x/last/model.json'), owner), owner.err()).toBe(true);
      for (const extra of [[], ['--overwrite']]) {
        const second = await run(cwd, ['train', 'tiny.yaml', '--out', 'runs/x', ...extra]);
        expect(second.code).toBe(4);
        expect(second.err).toContain(`pid ${owner.proc.pid} on host ${os.hostname()}`);
        expect(second.err).not.toMatch(/internal error/);
      }
      // readers take no lock and always get a whole checkpoint while it is being replaced
      for (let i = 0; i < 6; i++) {
        const r = await runCli('eval', path.join(cwd, 'runs/x'), '--checkpoint', 'last', '--json');
        expect(r.code, r.err).toBe(0);
        const g = await runCli('generate', path.join(cwd, 'runs/x'), '--checkpoint', i % 2 ? 'best' : 'last', '--length', '20');
        expect(g.code, g.err).toBe(0);
      }
      expect(owner.proc.exitCode).toBe(null); // the owner was never disturbed
    } finally {
      await kill9(owner);
    }
  });

  it('takes over a stale lock whose process is gone, with a notice', async () => {
    const cwd = lmFixture(2);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.mkdirSync(path.join(cwd, 'runs/s'), { recursive: true });
    const stale = { pid: dead, host: os.hostname(), started: '2020-01-01T00:00:00.000Z', command: 'seqnet train' };
    fs.writeFileSync(path.join(cwd, 'runs/s/.lock'), JSON.stringify(stale));
    const r = await run(cwd, ['train', 'tiny.yaml', '--out', 'runs/s']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(new RegExp(`taking over a stale lock \\(pid ${dead} on ${os.hostname()}`));
    expect(fs.existsSync(path.join(cwd, 'runs/s/.lock'))).toBe(false); // released at the end
  });

  it('lets exactly one of two simultaneous writers in', async () => {
    const cwd = lmFixture(400);
    const a = seqnet(cwd, ['train', 'tiny.yaml', '--out', 'runs/y', '--quiet']);
    const b = seqnet(cwd, ['train', 'tiny.yaml', '--out', 'runs/y', '--quiet']);
    const loser = await Promise.race([a.done.then(() => a), b.done.then(() => b)]);
    const winner = loser === a ? b : a;
    try {
      expect(loser.proc.exitCode).toBe(4);
      expect(loser.err()).toContain(`pid ${winner.proc.pid} on host ${os.hostname()}`);
      expect(winner.proc.exitCode).toBe(null);
    } finally {
      await kill9(winner);
    }
  });

  it('respects a lock held from another host (liveness cannot be checked there)', async () => {
    const cwd = lmFixture(2);
    fs.mkdirSync(path.join(cwd, 'runs/h'), { recursive: true });
    fs.writeFileSync(path.join(cwd, 'runs/h/.lock'), JSON.stringify({ pid: 4242, host: 'other-host', started: 'now', command: '' }));
    const r = await runCli('train', path.join(cwd, 'tiny.yaml'), '--out', path.join(cwd, 'runs/h'));
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/pid 4242 on host other-host/);
    expect(r.err).toMatch(/delete .*\.lock/);
  });
});
