/** Every documented exit code, each from a real command (70 from the handler itself: a bug cannot be asked for). */
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handleError } from '../../src/cli/errors.js';
import { runCli } from '../helpers/cli.js';
import { tinyRuns } from '../helpers/runs.js';

let dir: string;
let run: string;
beforeAll(async () => {
  dir = await tinyRuns({ a: [] });
  run = path.join(dir, 'runs', 'a');
});

describe('exit codes', () => {
  it('are listed in seqnet --help', async () => {
    const r = await runCli('--help');
    for (const c of ['0', '1', '2', '3', '4', '5', '6', '70', '130']) expect(r.out).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
  });

  it.each([
    [0, () => ['eval', run, '--assert', 'perplexity<1000']],
    [1, () => ['eval', run, '--assert', 'perplexity<1']],
    [2, () => ['train', path.join(dir, 'c.yaml'), '--set', 'train.optimizer=lion']],
    [3, () => ['train', path.join(dir, 'c.yaml'), '--out', path.join(dir, 'x3'), '--set', 'data.train=missing.txt']],
    [4, () => ['eval', path.join(dir, 'nowhere')]],
    [5, () => ['eval', run, '--device', 'gpu']],
  ])('%i', async (code, args) => {
    expect((await runCli(...args())).code).toBe(code);
  });

  it('6: training diverged (learning rate 1e6), with the step, the last finite loss and what to change', async () => {
    const r = await runCli('train', path.join(dir, 'c.yaml'), '--out', path.join(dir, 'nan'), '--set', 'train.learning_rate=1e6', '--set', 'train.optimizer=sgd');
    expect(r.code).toBe(6);
    expect(r.err).toMatch(/error: training diverged at step \d+: .* the last finite loss was [\d.]+ \(step \d+\)\. Lower train\.learning_rate \(now 1000000\) or set train\.clip_norm/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('70: anything that is not a SeqnetError is a bug, printed with its stack', () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(handleError(new TypeError('boom'))).toBe(70);
    expect(String(err.mock.calls[0][0])).toMatch(/internal error \(a bug in seqnet\): TypeError: boom\n\s+at /);
    err.mockRestore();
  });

  it('130: Ctrl-C stops training, saves last, exits 130', async () => {
    const timer = setTimeout(() => process.emit('SIGINT'), 400);
    const r = await runCli('train', path.join(dir, 'c.yaml'), '--out', path.join(dir, 'int'), '--set', 'train.epochs=200');
    clearTimeout(timer);
    expect(r.code).toBe(130);
    expect(r.out).toMatch(/^interrupted: /);
  });
});
