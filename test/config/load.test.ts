import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/index.js';
import { fixture, TINY_LM_YAML } from '../helpers/tmp.js';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const minimal = `name: m\ntask: language_model\ndata:\n  train: corpus.txt\nmodel:\n  type: lstm\n`;

describe('loadConfig', () => {
  it('fills every default and resolves data paths against the config folder', () => {
    const dir = fixture({ 'c.yaml': minimal });
    const cfg = loadConfig(path.join(dir, 'c.yaml'));
    expect({ ...cfg, data: { ...cfg.data, train: path.relative(dir, cfg.data.train as string) } }).toMatchInlineSnapshot(`
      {
        "data": {
          "date_column": null,
          "documents": "none",
          "features": null,
          "format": null,
          "horizon": 1,
          "label_column": null,
          "lookback": 24,
          "missing": "error",
          "scaler": "standard",
          "seq_len": 64,
          "shuffle": true,
          "source_column": null,
          "stride": null,
          "target_column": null,
          "targets": null,
          "test": 0.1,
          "text_column": null,
          "tokenizer": {
            "lowercase": false,
            "type": "char",
          },
          "train": "corpus.txt",
          "truncate": "post",
          "valid": 0.1,
        },
        "model": {
          "bidirectional": false,
          "dropout": 0,
          "embedding_dim": 64,
          "embedding_init": "auto",
          "embeddings": null,
          "init": "auto",
          "layers": 2,
          "merge": "concat",
          "norm": "none",
          "recurrent_dropout": 0,
          "type": "lstm",
          "units": 256,
        },
        "name": "m",
        "seed": 1,
        "task": "language_model",
        "train": {
          "batch_size": 32,
          "beta1": 0.9,
          "beta2": 0.999,
          "checkpoint": {
            "every_steps": null,
            "keep_last": 3,
          },
          "clip_norm": 5,
          "decay_all_params": false,
          "divergence_factor": 100,
          "early_stopping": null,
          "epochs": 5,
          "epsilon": 1e-7,
          "eval_batch_size": 128,
          "eval_every_steps": null,
          "gamma": 0.1,
          "grad_accum_steps": 1,
          "init_from": null,
          "learning_rate": 0.002,
          "log_every": 10,
          "lr_schedule": "constant",
          "max_steps": null,
          "min_lr": 0,
          "momentum": 0,
          "nesterov": false,
          "optimizer": "adam",
          "patience": null,
          "reduce_on_plateau": null,
          "step_every": null,
          "tbptt": null,
          "tensorboard": false,
          "time_budget": null,
          "warmup_steps": 0,
          "weight_decay": 0.01,
        },
      }
    `);
  });

  it('names an unknown key, suggests the close one, and gives the line', () => {
    const dir = fixture({ 'c.yaml': minimal + '  untis: 3\n' });
    const p = problems(() => loadConfig(path.join(dir, 'c.yaml')));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^model\.untis: unknown key `untis` in model — did you mean `units`\?/);
    expect(p[0]).toMatch(/\(line 7\)$/);
  });

  it('reports every problem at once, with types and ranges', () => {
    const yaml = `name: m\ntask: language_model\ndata:\n  train: corpus.txt\n  seq_len: 0\nmodel:\n  type: lstm\n  units: many\ntrain:\n  batch_size: -4\n`;
    const p = problems(() => loadConfig(path.join(fixture({ 'c.yaml': yaml }), 'c.yaml')));
    expect(p).toEqual([
      'data.seq_len: must be > 0 (line 5)',
      'model.units: expected number, got string (line 8)',
      'train.batch_size: must be > 0 (line 10)',
    ]);
  });

  it('lists valid model types for an unknown one', () => {
    const p = problems(() => loadConfig(path.join(fixture({ 'c.yaml': minimal.replace('lstm', 'lstn') }), 'c.yaml')));
    expect(p[0]).toMatch(/model\.type: unknown type `lstn` — did you mean `lstm`\? \(valid: .*lstm.*\)/);
  });

  it('applies --set overrides with the same validation', () => {
    const file = path.join(fixture({ 'c.yaml': TINY_LM_YAML }), 'c.yaml');
    const cfg = loadConfig(file, { set: ['train.epochs=7', 'model.units=12', 'data.tokenizer={type: char, lowercase: true}'] });
    expect(cfg.train.epochs).toBe(7);
    expect(cfg.model.units).toBe(12);
    expect(cfg.data.tokenizer).toEqual({ type: 'char', lowercase: true });
    expect(problems(() => loadConfig(file, { set: ['train.batch_size=0'] }))).toEqual(['train.batch_size: must be > 0 (from --set)']);
    expect(problems(() => loadConfig(file, { set: ['model.unitz=4'] }))[0]).toMatch(/did you mean `units`/);
  });

  it('shows line and column of malformed YAML', () => {
    const p = problems(() => loadConfig(path.join(fixture({ 'c.yaml': 'name: m\ndata: [1, 2\n' }), 'c.yaml')));
    expect(p[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('names a missing config file', () => {
    expect(problems(() => loadConfig('/nonexistent/c.yaml'))[0]).toMatch(/config file not found/);
  });
});
