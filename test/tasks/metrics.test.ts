/** Metrics on tiny hand-worked examples. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { ClassifySplit, TagSplit } from '../../src/data/examples.js';
import { fitScaler } from '../../src/data/scaler.js';
import { ForecastSplit, naiveScale } from '../../src/data/windows.js';
import { ClassMetrics, Confusion, knownLabelCrossEntropy } from '../../src/tasks/confusion.js';
import { ForecastErrors, naiveBaseline } from '../../src/tasks/forecast_metrics.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

describe('class metrics', () => {
  it('macro-F1 averages per-class F1 (hand-worked)', () => {
    // truth 0 0 1 1 2, predicted 0 1 1 1 0
    // class 0: P 1/2 R 1/2 F1 .5 · class 1: P 2/3 R 1 F1 .8 · class 2: P 0 R 0 F1 0
    const cm = new Confusion(3);
    [[0, 0], [0, 1], [1, 1], [1, 1], [2, 0]].forEach(([t, p]) => cm.add(t, p));
    expect(cm.accuracy()).toBe(0.6);
    expect(cm.macroF1()).toBeCloseTo((0.5 + 0.8 + 0) / 3, 12);
    expect(cm.perClass().get(1)).toMatchObject({ precision: 2 / 3, recall: 1, support: 2 });
    expect(cm.perClass().get(1)!.f1).toBeCloseTo(0.8, 12);
  });

  it('counts a label training never saw as wrong, reports it, and leaves it out of the loss', () => {
    const split = new ClassifySplit([[4], [4]], Int32Array.from([0, 2]), 1, 'post', ['a', 'b', 'zz'], 2);
    const m = new ClassMetrics(split, { unit: 'examples', perClass: true });
    const logits = tf.tensor2d([[5, 0], [0, 5]]);
    const ys = tf.tensor1d([0, 2], 'int32');
    m.add(logits, ys);
    const r = m.result();
    // a: F1 1; b: predicted once, never true: F1 0; zz: true once, never predictable: F1 0
    expect(r).toMatchObject({ accuracy: 0.5, macro_f1: 1 / 3, examples: 2, unseen: 1, 'confusion/zz/b': 1, 'confusion/a/a': 1, 'recall/zz': 0 });
    expect(r.loss).toBeCloseTo(Math.log(1 + Math.exp(-5)), 6);
    tf.dispose([logits, ys]);
  });

  it('never counts padding in loss or accuracy', () => {
    const split = new TagSplit([[4]], [[1]], 3, 'post', ['A', 'B'], 2);
    const b = split.batch([0]); // ys [[1, 0, 0]], weights [[1, 0, 0]]
    // the model is right on the real token and wrong (confidently) on both pads
    const logits = tf.tensor3d([[[0, 2], [0, 9], [0, 9]]]);
    const m = new ClassMetrics(split, { unit: 'tokens', perClass: false });
    m.add(logits, b.ys, b.weights);
    const r = m.result();
    expect(r.accuracy).toBe(1);
    expect(r.tokens).toBe(1);
    const loss = knownLabelCrossEntropy(logits, b.ys, b.weights);
    expect(loss.dataSync()[0]).toBeCloseTo(Math.log(1 + Math.exp(-2)), 6);
    expect(r.loss).toBeCloseTo(Math.log(1 + Math.exp(-2)), 6);
    tf.dispose([logits, loss, ...b.xs, b.ys, b.weights!]);
  });
});

describe('forecast metrics', () => {
  it('MAE, RMSE, MAPE, sMAPE and MASE overall and per step (hand-worked)', () => {
    const e = new ForecastErrors(['y'], 2, [2]);
    e.add(0, 0, 10, 12); // step 1: error 2
    e.add(1, 0, 10, 7); // step 2: error 3
    const r = e.result();
    expect(r.mae).toBe(2.5);
    expect(r.rmse).toBeCloseTo(Math.sqrt(6.5), 12);
    expect(r.mape).toBeCloseTo(25, 12);
    expect(r.smape).toBeCloseTo(50 * (4 / 22 + 6 / 17), 12);
    expect(r.mase).toBe(1.25); // 2.5 / 2
    expect(r['mae/t+1']).toBe(2);
    expect(r['mase/t+2']).toBe(1.5);
    expect(r['mae/y']).toBeUndefined(); // one target: no per-target keys
  });

  it('scales MASE by the naive one-step error of the training part; the naive baseline is the last value', () => {
    expect(naiveScale([[1], [3], [2], [6]].map((r) => Float64Array.from(r)), ['y'], ['y'])).toEqual([7 / 3]);
    const rows = [1, 2, 4, 7, 11].map((v) => Float64Array.of(v));
    const series = { columns: ['y'], features: ['y'], targets: ['y'] };
    const scale = naiveScale(rows, ['y'], ['y']); // (1 + 2 + 3 + 4) / 4 = 2.5
    const s = new ForecastSplit(rows, series, fitScaler('none', ['y'], rows), { lookback: 2, horizon: 2, stride: 1 }, scale);
    // window 0: last 2, actual 4 7 → errors 2 5; window 1: last 4, actual 7 11 → errors 3 7
    const b = naiveBaseline(s);
    expect(b.naive_mae).toBe(17 / 4);
    expect(b.naive_mase).toBeCloseTo(17 / 4 / 2.5, 12);
    expect(b['naive_mae/t+1']).toBe(2.5);
  });
});
