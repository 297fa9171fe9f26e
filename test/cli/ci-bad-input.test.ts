/**
 * The CI features' bad inputs: each gets a clear message, the right exit code, no stack trace, and
 * the existing run is left exactly as it was.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tinyRuns } from '../helpers/runs.js';

let dir: string;
let run: string;
beforeAll(async () => {
  dir = await tinyRuns({ a: [] });
  run = path.join(dir, 'runs', 'a');
  fs.writeFileSync(path.join(dir, 'a-file'), 'not a folder');
});

/** sha256 over every file of a folder, by relative path */
function digest(d: string): string {
  const h = crypto.createHash('sha256');
  for (const f of (fs.readdirSync(d, { recursive: true }) as string[]).sort()) {
    const p = path.join(d, f);
    if (fs.statSync(p).isFile()) h.update(f).update(fs.readFileSync(p));
  }
  return h.digest('hex');
}

describe('bad input for the CI features', () => {
  it.each([
    ['an assertion on a metric the task lacks', () => ['eval', run, '--assert', 'accuracy>=0.9'], 2, /--assert "accuracy>=0\.9": this task reports no metric `accuracy` \(available: loss, perplexity, bits_per_token, tokens\)/],
    ['a malformed assertion', () => ['eval', run, '--assert', 'perplexity=>3'], 2, /--assert "perplexity=>3": malformed assertion; write METRIC OP VALUE/],
    ['a baseline the task lacks', () => ['eval', run, '--assert', 'tokens>=baseline'], 2, /the baseline has no value for `tokens` \(baseline metrics: unigram_loss/],
    ['a malformed duration', () => ['train', path.join(dir, 'c.yaml'), '--out', run, '--overwrite', '--set', 'train.time_budget=10 minutes please'], 2, /train\.time_budget: expected a duration such as 90s, 10m or 1h30m/],
    ['--resume after changed model keys', () => ['train', path.join(dir, 'c.yaml'), '--out', run, '--resume', '--set', 'model.units=12', '--set', 'train.max_steps=4'], 4, /--resume: the config differs from the run in .* outside `train`:\n {2}- model\.units: 16 → 12/],
    ['compare on a folder that is not a run', () => ['compare', run, dir], 4, /is not a seqnet run directory \(no manifest\.json\)/],
    ['an unwritable --out path', () => ['eval', run, '--out', path.join(dir, 'a-file', 'r.json')], 2, /--out .*a-file\/r\.json: cannot write there/],
    ['an unwritable --junit path', () => ['eval', run, '--junit', dir], 2, /--junit .*: cannot write there \(it is a folder\)/],
    ['grad_accum_steps: 0', () => ['train', path.join(dir, 'c.yaml'), '--out', run, '--overwrite', '--set', 'train.grad_accum_steps=0'], 2, /train\.grad_accum_steps: must be > 0 \(from --set\)/],
    ['train --out onto a file', () => ['train', path.join(dir, 'c.yaml'), '--out', path.join(dir, 'a-file')], 4, /a-file is a file, not a run directory; give --out a folder/],
    ['early stopping on a metric the task lacks', () => ['train', path.join(dir, 'c.yaml'), '--out', run, '--overwrite', '--set', 'train.early_stopping={metric: accuracy}'], 2, /c\.yaml: invalid config\n {2}- train\.early_stopping\.metric: this task reports no validation metric `accuracy` \(it has: loss, perplexity/],
  ])('%s', async (_name, args, code, pattern) => {
    const before = digest(run);
    const r = await runCli(...args());
    expect(r.code).toBe(code);
    expect(r.err).toMatch(pattern);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(digest(run)).toBe(before);
  });
});
