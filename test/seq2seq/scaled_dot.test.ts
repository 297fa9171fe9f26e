/**
 * Regression: tfjs camel-cases every string value of a saved layer config on load, so a decoder
 * saved with `attention: scaled_dot` came back as `scaledDot`, built no attention layer and failed
 * to load ("Cannot read properties of undefined (reading 'add')") at the end of training.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { savedScore } from '../../src/models/seq2seq/attention.js';
import { train } from '../../src/train/index.js';
import { fixture } from '../helpers/tmp.js';

const PAIRS = ['src\ttgt', ...Array.from({ length: 30 }, (_, i) => `${'abcde'.slice(i % 3, 3 + (i % 2))}\t${'EDCBA'.slice(i % 3, 3 + (i % 2))}`)].join('\n');
const YAML = `
name: tiny-scaled-dot
seed: 3
task: seq2seq
data: { train: pairs.tsv, source_column: src, target_column: tgt, valid: 0.2, test: 0.2, seq_len: 6 }
model: { type: seq2seq, units: 4, embedding_dim: 4, attention: scaled_dot }
train: { epochs: 1, max_steps: 2, batch_size: 8, log_every: 1000 }
`;

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
});

describe('seq2seq attention scores survive a save and a load', () => {
  it('reads a score as saved and as tfjs camel-cases it; refuses an unknown one', () => {
    expect(savedScore('scaled_dot')).toBe('scaled_dot');
    expect(savedScore('scaledDot')).toBe('scaled_dot');
    expect(savedScore('additive')).toBe('additive');
    expect(() => savedScore('scaled')).toThrow(/unknown attention score "scaled".*scaled_dot/);
  });

  it('a scaled_dot run trains, reloads and evaluates', async () => {
    const dir = fixture({ 'c.yaml': YAML, 'pairs.tsv': PAIRS });
    const out = path.join(dir, 'run');
    const r = await train(loadConfig(path.join(dir, 'c.yaml')), { backend, out });
    expect(r.status).toBe('finished');
    const ev = await evaluate(out);
    expect(ev.metrics).toEqual(r.metrics.test);
  });
});
