/** train.tbptt on a recurrent language model: streams, carried and detached state, exact resume, stateful eval. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, type BackendInfo } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { documentStream } from '../../src/data/documents.js';
import type { WindowSplit } from '../../src/data/lm.js';
import { StreamSplit } from '../../src/data/streams.js';
import { BOS } from '../../src/data/tokenizers/types.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { scoreStateful } from '../../src/eval/stateful.js';
import { carriedModel, detach, forwardCarried } from '../../src/models/carry.js';
import { loadCheckpoint } from '../../src/models/io.js';
import { SeqnetRecurrent } from '../../src/models/layers/recurrent.js';
import { buildModel } from '../../src/models/registry.js';
import { sparseCrossEntropy } from '../../src/tasks/losses.js';
import { taskSpec } from '../../src/tasks/index.js';
import { train } from '../../src/train/index.js';
import { CARRIED_STATE_FILE, StateCarrier } from '../../src/train/tbptt.js';
import { Stepper } from '../../src/train/step.js';
import { TrainSchema } from '../../src/config/schema/train.js';
import { fixture, TINY_CORPUS, TINY_LM_YAML } from '../helpers/tmp.js';
import { tinyModel } from '../models/helpers.js';

let backend: BackendInfo;
let dir: string;
beforeAll(async () => {
  backend = await initBackend({ device: 'cpu' });
  dir = fixture({ 'c.yaml': TINY_LM_YAML, 'corpus.txt': TINY_CORPUS });
});

const rows = (t: tf.Tensor) => t.arraySync();

describe('streams', () => {
  it('lays running text out as B contiguous streams read in consecutive K-token chunks', () => {
    // 21 ids, B = 2: L = floor(20 / 2) = 10 pairs per stream, K = 3 → 3 chunks
    const s = new StreamSplit(Int32Array.from({ length: 21 }, (_, i) => i), 2, 3, false);
    expect([s.chunks, s.size]).toEqual([3, 6]);
    const b = s.batch([2, 3]); // chunk 1 of streams 0 and 1
    expect(rows(b.xs[0])).toEqual([[3, 4, 5], [13, 14, 15]]);
    expect(rows(b.ys)).toEqual([[4, 5, 6], [14, 15, 16]]);
    expect(Array.from(s.carryMask([0, 1]))).toEqual([0, 0]);
    expect(Array.from(s.carryMask([4, 5]))).toEqual([1, 1]);
    tf.dispose([...b.xs, b.ys]);
    expect(() => s.batch([3, 2])).toThrow(/chunk c of all 2 streams in order/);
  });

  it('starts every document on a chunk boundary, pads its last chunk at weight 0 and resets there', () => {
    // docs of 3, 2 and 5 (input, target) pairs, K = 2 → 4, 2, 6 padded: streams [d0 d1] and [d2]
    const ids = documentStream([[5, 6], [7], [8, 9, 10, 11]]);
    const s = new StreamSplit(ids, 2, 2, true);
    expect(s.chunks).toBe(3);
    const b = s.batch([2, 3]);
    expect(rows(b.xs[0])).toEqual([[6, 0], [9, 10]]);
    expect(rows(b.ys)).toEqual([[3, 0], [10, 11]]);
    expect(rows(b.weights!)).toEqual([[1, 0], [1, 1]]);
    expect(rows(s.batch([4, 5]).xs[0])).toEqual([[2, 7], [11, 0]]);
    // stream 0 starts document d1 at chunk 2: its state resets; stream 1 is still inside d2
    expect(Array.from(s.carryMask([4, 5]))).toEqual([0, 1]);
    tf.dispose([...b.xs, b.ys, b.weights!]);
  });
});

describe('carried state', () => {
  it('the state really carries: chunk 2 scores differently from a reset state', () => {
    const model = buildModel(tinyModel('lstm'), { task: 'language_model', info: { seqLen: 6, vocabSize: 13 }, seed: 2 });
    const m = carriedModel(model, 'test');
    const c1 = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]], [2, 4], 'int32');
    const c2 = tf.tensor2d([[9, 10, 11, 12], [1, 3, 5, 7]], [2, 4], 'int32');
    const y2 = tf.tensor2d([[10, 11, 12, 1], [3, 5, 7, 9]], [2, 4], 'int32');
    const [carried, reset, resetByMask] = tf.tidy(() => {
      const s1 = detach(forwardCarried(m, c1, undefined, false).states);
      const loss = (init: typeof s1 | undefined, carry?: tf.Tensor2D) => sparseCrossEntropy(forwardCarried(m, c2, init, false, carry).logits, y2).dataSync()[0];
      return [loss(s1), loss(undefined), loss(s1, tf.zeros([2, 1]))];
    });
    expect(Math.abs(carried - reset)).toBeGreaterThan(1e-4);
    expect(resetByMask).toBeCloseTo(reset, 6);
    tf.dispose([c1, c2, y2]);
    model.dispose();
  });

  it("gradients stop at the boundary: chunk 2's loss has zero gradient w.r.t. chunk 1's inputs", () => {
    const layer = new SeqnetRecurrent({ cell: 'lstm', units: 4, seed: 5 });
    layer.apply(tf.input({ shape: [null, 3] }));
    const x1 = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
    const x2 = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 2) as tf.Tensor3D;
    const chunk2Loss = (cut: boolean) => (x: tf.Tensor3D) => {
      const s1 = layer.run(x, undefined).states;
      const init = cut ? detach([s1])[0] : s1;
      // x·0 keeps x in the graph (tfjs refuses a gradient with no path at all); it adds exactly zero
      return layer.run(x2, init).outputs.square().sum().add(x.sum().mul(0)) as tf.Scalar;
    };
    const detached = tf.grad(chunk2Loss(true))(x1);
    const through = tf.grad(chunk2Loss(false))(x1);
    expect(tf.abs(detached).max().dataSync()[0]).toBe(0);
    // the same graph without the cut does reach chunk 1, so the zero above is the cut's doing
    expect(tf.abs(through).max().dataSync()[0]).toBeGreaterThan(1e-4);
    tf.dispose([x1, x2, detached, through]);
  });

  it('a carried step keeps no tensor beyond the state it carries', () => {
    const model = buildModel(tinyModel('lstm', { layers: 1 }), { task: 'language_model', info: { seqLen: 6, vocabSize: 13 }, seed: 2 });
    const split = new StreamSplit(Int32Array.from({ length: 41 }, (_, i) => (i * 5) % 13), 2, 4, false);
    const carrier = new StateCarrier(model, split);
    const opt = tf.train.adam(0.01);
    const stepper = new Stepper(model, taskSpec('language_model'), opt, TrainSchema.parse({ clip_norm: 5 }), carrier);
    const step = (c: number) => {
      const idx = [2 * c, 2 * c + 1];
      const b = split.batch(idx);
      stepper.step([b], 0.01, Infinity, [idx]);
      tf.dispose([...b.xs, b.ys, ...(b.weights ? [b.weights] : [])]);
    };
    step(0);
    step(1); // optimizer slots exist from here on
    const before = tf.memory().numTensors;
    step(2);
    step(3);
    expect(tf.memory().numTensors).toBe(before);
    stepper.dispose();
    carrier.close();
    opt.dispose();
    model.dispose();
  });

  it('stateful scoring in short windows equals scoring the stream in one window', () => {
    const model = buildModel(tinyModel('gru'), { task: 'language_model', info: { seqLen: 6, vocabSize: 13 }, seed: 4 });
    const ids = Int32Array.from({ length: 23 }, (_, i) => (i * 7) % 13);
    const whole = scoreStateful(model, ids, 100, false);
    const windows = scoreStateful(model, ids, 5, false);
    expect(windows.stateful_tokens).toBe(22);
    expect(windows.stateful_loss).toBeCloseTo(whole.stateful_loss, 5);
    model.dispose();
    const tr = buildModel(tinyModel('transformer'), { task: 'language_model', info: { seqLen: 6, vocabSize: 13 }, seed: 4 });
    expect(() => scoreStateful(tr, ids, 5, false)).toThrow(/eval --stateful carries the recurrent state .* needs a unidirectional rnn, lstm or gru/);
    tr.dispose();
  });
});

describe('train.tbptt runs', () => {
  const set = ['train.tbptt=8', 'train.log_every=1', 'train.max_steps=10', 'model.dropout=0'];

  it('resuming mid-epoch restores the carried state and equals an uninterrupted run', async () => {
    const cfg = loadConfig(path.join(dir, 'c.yaml'), { set });
    const weights = async (run: string) => {
      const m = await loadCheckpoint(path.join(run, 'last'));
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return w.flat();
    };
    const straight = await train(cfg, { backend, out: path.join(dir, 'straight') });
    expect(straight.state.step).toBe(10);
    const runTo4 = async (out: string) => {
      const abort = new AbortController();
      let steps = 0;
      const r = await train(cfg, { backend, out, signal: abort.signal, hooks: { onStep: () => ++steps === 4 && abort.abort() } });
      expect(r.state.step).toBe(4);
      expect(fs.existsSync(path.join(out, 'last', CARRIED_STATE_FILE))).toBe(true);
    };
    const out = path.join(dir, 'resumed');
    await runTo4(out);
    await train(cfg, { backend, out, resume: true });
    expect(await weights(out)).toEqual(await weights(path.join(dir, 'straight')));

    // without the saved state the resumed run starts chunk 5 from zeros and ends elsewhere
    const lost = path.join(dir, 'lost');
    await runTo4(lost);
    fs.rmSync(path.join(lost, 'last', CARRIED_STATE_FILE));
    const index = path.join(lost, 'last', 'checkpoint.json'); // a whole checkpoint that never held the state
    const j = JSON.parse(fs.readFileSync(index, 'utf8'));
    delete j.files[CARRIED_STATE_FILE];
    fs.writeFileSync(index, JSON.stringify(j));
    await train(cfg, { backend, out: lost, resume: true });
    expect(await weights(lost)).not.toEqual(await weights(path.join(dir, 'straight')));

    // the saved state has one row per stream: another batch_size cannot continue it
    const other = loadConfig(path.join(dir, 'c.yaml'), { set: [...set, 'train.batch_size=4'] });
    await runTo4(path.join(dir, 'bs'));
    await expect(train(other, { backend, out: path.join(dir, 'bs'), resume: true })).rejects.toThrow(/holds state for 8 streams, but train.batch_size is 4/);

    const ev = await evaluate(out, { stateful: true });
    expect(ev.metrics.stateful_tokens).toBeGreaterThan(0);
    expect(Number.isFinite(ev.metrics.stateful_bits_per_token)).toBe(true);
  });

  it('trains and scores documents, each starting from a reset state', async () => {
    const cfg = loadConfig(path.join(dir, 'c.yaml'), { set: [...set, 'data.documents=lines', 'train.batch_size=4', 'train.max_steps=6'] });
    const out = path.join(dir, 'docs');
    const r = await train(cfg, { backend, out });
    expect(r.state.step).toBe(6);
    const ev = await evaluate(out, { stateful: true });
    // every token of every test document after its <bos> is scored once: all ids but one per document
    const ids = (taskSpec('language_model').prepare(cfg).test as WindowSplit).ids;
    const docs = ids.filter((t) => t === BOS).length;
    expect(docs).toBeGreaterThan(1);
    expect(ev.metrics.stateful_tokens).toBe(ids.length - docs);
    expect(Number.isFinite(ev.metrics.stateful_bits_per_token)).toBe(true);
  });

  it('refuses tbptt for a language model without recurrent state', () => {
    expect(() => loadConfig(path.join(dir, 'c.yaml'), { set: [...set, 'model={"type":"transformer"}'] })).toThrow(/train.tbptt: carries recurrent state between chunks/);
  });
});
