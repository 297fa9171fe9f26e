/** Family settings that cannot work are config errors naming the keys, the task and the fix. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { ModelSchema } from '../../src/config/schema/index.js';
import { ConfigError } from '../../src/util/errors.js';
import { fixture } from '../helpers/tmp.js';

/** the model.* problems of a config (the data section's own checks are tested elsewhere) */
function problems(task: string, model: Record<string, unknown>, data: Record<string, unknown> = {}): string[] {
  const raw = { name: 't', task, data: { train: 'x.csv', ...data }, model };
  try {
    validateConfig(raw, 'c.yaml');
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.filter((p) => p.startsWith('model.'));
    throw e;
  }
}

describe('model config checks', () => {
  it('refuses a bidirectional language model, naming both', () => {
    const p = problems('language_model', { type: 'lstm', bidirectional: true });
    expect(p).toEqual([expect.stringMatching(/^model\.bidirectional: a bidirectional `lstm` cannot do task `language_model`.*bidirectional: false/)]);
    expect(problems('classification', { type: 'lstm', bidirectional: true })).toEqual([]);
  });

  it('refuses textcnn for language modelling', () => {
    expect(problems('language_model', { type: 'textcnn' })).toEqual([
      'model.type: model type `textcnn` does not support task `language_model` (it supports: classification, tagging, forecasting)',
    ]);
  });

  it('needs same padding and stride 1 for textcnn tagging, and kernels that fit with valid padding', () => {
    expect(problems('tagging', { type: 'textcnn', padding: 'valid' })[0]).toMatch(/^model\.padding: textcnn tagging needs one output per token/);
    expect(problems('tagging', { type: 'textcnn', stride: 2 })[0]).toMatch(/stride: 1/);
    expect(problems('classification', { type: 'textcnn', padding: 'valid', kernel_sizes: [3, 9] }, { seq_len: 8 })).toEqual([
      'model.kernel_sizes: kernel size 9 is wider than the sequence (data.seq_len = 8) with padding valid; use padding: same or smaller kernels',
    ]);
  });

  it('needs heads to divide d_model', () => {
    expect(problems('classification', { type: 'transformer', d_model: 30, heads: 4 })).toEqual([
      'model.heads: heads (4) must divide d_model (30) so every head gets d_model / heads dimensions',
    ]);
  });

  it('refuses pretrained embeddings for forecasting', () => {
    expect(problems('forecasting', { type: 'gru', embeddings: { path: 'v.txt' } })[0]).toMatch(/^model\.embeddings: pretrained embeddings need token input/);
  });

  it('reports the line of the offending key', () => {
    const yaml = 'name: t\ntask: language_model\ndata:\n  train: x.txt\nmodel:\n  type: gru\n  bidirectional: true\n';
    const file = path.join(fixture({ 'c.yaml': yaml }), 'c.yaml');
    expect(() => loadConfig(file)).toThrow(/c\.yaml: invalid config\n  - model\.bidirectional: .* \(line 7\)/);
  });

  it('fills the documented defaults', () => {
    expect(ModelSchema.parse({ type: 'transformer' })).toEqual({
      type: 'transformer', d_model: 64, embedding_init: 'auto', heads: 4, layers: 2, ff_dim: null, dropout: 0.1, positional: 'learned', pooling: 'mean',
    });
    expect(ModelSchema.parse({ type: 'textcnn' })).toMatchObject({ filters: 64, kernel_sizes: [3, 4, 5], pool: 'max', stride: 1, padding: 'same', hidden: [] });
    expect(ModelSchema.parse({ type: 'lstm' })).toMatchObject({ bidirectional: false, merge: 'concat', recurrent_dropout: 0, norm: 'none', embeddings: null });
  });
});
