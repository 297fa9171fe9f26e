/** Each new task end to end on a tiny model: train → eval → predict, in a few seconds. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { predict } from '../../src/predict/index.js';
import { languageModel } from '../../src/tasks/language_model.js';
import { train } from '../../src/train/index.js';
import { ConfigError } from '../../src/util/errors.js';
import { fixture } from '../helpers/tmp.js';

const words = ['good', 'fine', 'great', 'bad', 'awful', 'poor'];
const REVIEWS = 'text,label\n' + Array.from({ length: 40 }, (_, i) => `${words[i % 6]} film ${i % 4 ? 'indeed' : ''},${i % 6 < 3 ? 'pos' : 'neg'}`).join('\n') + '\n';
const CONLL = Array.from({ length: 20 }, (_, i) => (i % 2 ? 'the\tDET\ndog\tNOUN\nruns\tVERB\n' : 'a\tDET\ncat\tNOUN\nsleeps\tVERB\n.\tPUNCT\n')).join('\n');
const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
const SERIES = 'date,a,b\n' + Array.from({ length: 60 }, (_, i) => `${day(i)},${Math.sin(i / 3).toFixed(3)},${(i % 7) / 7}`).join('\n') + '\n';
const TRAIN = 'train:\n  epochs: 1\n  max_steps: 3\n  batch_size: 8\n  log_every: 1000\n';
const MODEL = 'model: { type: gru, embedding_dim: 4, units: 4, layers: 1 }\n';

let backend: BackendInfo;
let dir: string;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
  dir = fixture({
    'reviews.csv': REVIEWS,
    'unseen.csv': 'text,label\ngood film,pos\nbad film,meh\n',
    'tags.conll': CONLL,
    'series.csv': SERIES,
    'docs.txt': 'one small doc\nanother doc\n\nthird doc here\n',
    'cls.yaml': `name: c\ntask: classification\ndata:\n  train: reviews.csv\n  text_column: text\n  label_column: label\n  tokenizer: { type: word }\n  seq_len: 4\n  valid: 0.2\n  test: 0.2\n${MODEL}${TRAIN}`,
    'tag.yaml': `name: t\ntask: tagging\ndata:\n  train: tags.conll\n  tokenizer: { type: word }\n  seq_len: 5\n  valid: 0.2\n  test: 0.2\n${MODEL}${TRAIN}`,
    'fc.yaml': `name: f\ntask: forecasting\ndata:\n  train: series.csv\n  date_column: date\n  lookback: 4\n  horizon: 2\n  targets: [a]\n  valid: 0.2\n  test: 0.2\n${MODEL}${TRAIN}`,
  });
});

async function trainRun(config: string, set: string[] = []) {
  const cfg = loadConfig(path.join(dir, config), { set });
  const out = path.join(dir, `run-${config}`);
  const r = await train(cfg, { backend, out, overwrite: true });
  expect(r.status).toBe('finished');
  return { out, r };
}

describe('classification end to end', () => {
  it('trains, saves labels, evaluates beside the majority baseline, predicts with probabilities', async () => {
    const { out } = await trainRun('cls.yaml');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'labels.json'), 'utf8'))).toEqual({ labels: ['neg', 'pos'] });
    const ev = await evaluate(out);
    expect(Object.keys(ev.metrics)).toEqual(expect.arrayContaining(['loss', 'accuracy', 'macro_f1', 'precision/pos', 'recall/neg', 'confusion/pos/neg']));
    expect(ev.baseline).toHaveProperty('majority_accuracy');
    const before = tf.memory().numTensors;
    const p = await predict(out, { text: 'good film' });
    await evaluate(out);
    expect(tf.memory().numTensors).toBe(before); // predict and eval own every tensor they make
    const [res] = p.results as { label: string; probabilities: Record<string, number> }[];
    expect(['neg', 'pos']).toContain(res.label);
    expect(res.probabilities.neg + res.probabilities.pos).toBeCloseTo(1, 5);
    expect(p.render).toMatch(/^(neg|pos)\t0\.\d{3}\tgood film$/);
    // a label training never saw is reported and counted as wrong, not a crash
    const unseen = await evaluate(out, { file: path.join(dir, 'unseen.csv') });
    expect(unseen.metrics.unseen).toBe(1);
    expect(unseen.metrics.accuracy).toBeLessThanOrEqual(0.5);
    expect(unseen.warnings.join('\n')).toMatch(/label\(s\) training never saw \(meh\)/);
  });
});

describe('tagging end to end', () => {
  it('trains, evaluates over real tokens beside the most-frequent-tag baseline, tags new text', async () => {
    const { out } = await trainRun('tag.yaml');
    const ev = await evaluate(out);
    // 4 test sentences of 3 or 4 tokens, padding excluded
    expect(ev.metrics.tokens).toBeGreaterThanOrEqual(12);
    expect(ev.metrics.tokens).toBeLessThanOrEqual(16);
    expect(ev.baseline).toHaveProperty('most_frequent_tag_accuracy', 1);
    const before = tf.memory().numTensors;
    const p = await predict(out, { text: 'the cat runs' });
    expect(tf.memory().numTensors).toBe(before);
    expect((p.results as { tokens: string[]; tags: string[] }[])[0].tokens).toEqual(['the', 'cat', 'runs']);
    expect((p.results as { tags: string[] }[])[0].tags).toHaveLength(3);
  });
});

describe('forecasting end to end', () => {
  it('trains, reports errors in original units beside the naive forecast, predicts the next steps', async () => {
    const { out } = await trainRun('fc.yaml');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'scaler.json'), 'utf8'))).toMatchObject({ type: 'standard', columns: ['a', 'b'] });
    const ev = await evaluate(out);
    expect(Object.keys(ev.metrics)).toEqual(expect.arrayContaining(['mae', 'rmse', 'mape', 'smape', 'mase', 'mae/t+2']));
    expect(Object.keys(ev.baseline!)).toEqual(expect.arrayContaining(['naive_mae', 'naive_mase']));
    const before = tf.memory().numTensors;
    const p = await predict(out, { file: path.join(dir, 'series.csv') });
    expect(tf.memory().numTensors).toBe(before);
    const r = p.results as { steps: { step: number; date: string; values: { a: number } }[] };
    expect(r.steps.map((s) => s.date)).toEqual(['2024-03-01', '2024-03-02']);
    expect(Number.isFinite(r.steps[1].values.a)).toBe(true);
    await expect(predict(out, { text: '1 2 3' })).rejects.toThrow(/use --file FILE/);
  });
});

describe('config cross-checks and documents', () => {
  const problems = (yaml: string): string[] => {
    const d = fixture({ 'c.yaml': yaml });
    try {
      loadConfig(path.join(d, 'c.yaml'));
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };
  it('names the missing columns, a tagging tokenizer that is not word, and misplaced keys', () => {
    expect(problems(`name: c\ntask: classification\ndata:\n  train: r.csv\n  documents: lines\n${MODEL}train: { tbptt: 4 }\n`)).toEqual([
      'data.text_column: required for task classification (the column holding the text) (line 4)',
      'data.label_column: required for task classification (the column holding the label) (line 4)',
      'data.documents: applies to language_model text only (task is classification); remove it (line 5)',
      'train.tbptt: truncated backpropagation applies to language_model and forecasting windows (task is classification); set it to null (line 7)',
    ]);
    expect(problems(`name: t\ntask: tagging\ndata:\n  train: t.conll\n${MODEL}`)[0]).toMatch(/^data\.tokenizer\.type: tagging needs the word tokenizer .* not `char`/);
  });

  it('frames language-model documents with <bos> … <eos>', () => {
    fs.writeFileSync(path.join(dir, 'lm.yaml'), `name: l\ntask: language_model\ndata:\n  train: docs.txt\n  documents: lines\n  valid: 0\n  test: 0\n  seq_len: 4\n${MODEL}`);
    const p = languageModel.prepare(loadConfig(path.join(dir, 'lm.yaml')));
    const ids = Array.from((p.train as unknown as { ids: Int32Array }).ids);
    expect(ids.filter((i) => i === 2)).toHaveLength(3); // three documents
    expect(ids.filter((i) => i === 3)).toHaveLength(3);
    expect(ids[0]).toBe(2);
    expect(ids[ids.length - 1]).toBe(3);
  });
});
