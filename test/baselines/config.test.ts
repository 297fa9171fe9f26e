/** Baseline settings that cannot work are config errors naming the key and its line. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { fixture } from '../helpers/tmp.js';

const load = (yaml: string) => {
  const dir = fixture({ 'c.yaml': yaml });
  return () => loadConfig(path.join(dir, 'c.yaml'));
};

const FORECAST = (model: string, data = '') => `name: x
task: forecasting
data:
  train: s.csv
  lookback: 12${data}
model: ${model}
`;

describe('baseline config checks', () => {
  it('fills the defaults of each baseline', () => {
    const dir = fixture({ 'c.yaml': 'name: x\ntask: language_model\ndata: { train: t.txt }\nmodel: { type: ngram }\n' });
    expect(loadConfig(path.join(dir, 'c.yaml')).model).toEqual({ type: 'ngram', order: 3, smoothing: 'kneser_ney', k: 1, discount: null });
  });

  it('refuses a season longer than the lookback', () => {
    expect(load(FORECAST('{ type: seasonal_naive, season: 24 }'))).toThrow(/model.season: season 24 is longer than data.lookback \(12\).*\(line 6\)/);
  });

  it('refuses naive targets that are not features', () => {
    expect(load(FORECAST('{ type: naive }', '\n  features: [a]\n  targets: [b]'))).toThrow(/data.targets: naive repeats past values .* add b to data.features \(line 7\)/);
  });

  it('refuses a reversed ngram_range, a task the baseline cannot do, and unknown keys', () => {
    const cls = (model: string) => `name: x\ntask: classification\ndata: { train: r.csv, text_column: t, label_column: l }\nmodel: ${model}\n`;
    expect(load(cls('{ type: bow, ngram_range: [3, 1] }'))).toThrow(/model.ngram_range: \[3, 1\]: the first number .* must not exceed the second/);
    expect(load(cls('{ type: ngram }'))).toThrow(/model type `ngram` does not support task `classification` \(it supports: language_model\)/);
    expect(load(FORECAST('{ type: ar, order: 2 }'))).toThrow(/unknown key `order` in model \(allowed: type, l2\)/);
  });
});
