/**
 * Forecasting baselines: naive and seasonal_naive on a tiny series worked by hand, the ar fit
 * recovering the coefficients of a generated AR(2) series, and save → load → identical outputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { arFamily, naiveFamily, seasonalNaiveFamily, LinearAr } from '../../src/baselines/forecast.js';
import { ArSchema, SeasonalNaiveSchema } from '../../src/config/schema/index.js';
import { fitScaler } from '../../src/data/scaler.js';
import { ForecastSplit } from '../../src/data/windows.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

/** a ForecastSplit over unscaled columns (scaler none), every column a feature */
function split(columns: string[], rows: number[][], lookback: number, horizon: number, targets = columns): ForecastSplit {
  const r = rows.map((x) => Float64Array.from(x));
  const series = { columns, features: columns, targets };
  return new ForecastSplit(r, series, fitScaler('none', columns, r), { lookback, horizon, stride: 1 }, targets.map(() => 1));
}

const ctx = (train: ForecastSplit) => ({ task: 'forecasting' as const, info: { seqLen: train.shape.lookback }, train });

describe('naive and seasonal_naive', () => {
  // two columns: a = 1..8, b = 10, 20, 30, 40, 10, 20, 30, 40 (season 4)
  const rows = [1, 2, 3, 4, 5, 6, 7, 8].map((t) => [t, 10 * (((t - 1) % 4) + 1)]);
  const s = split(['a', 'b'], rows, 4, 3, ['b', 'a']);
  const x = tf.tensor3d([rows.slice(0, 4), rows.slice(4, 8)], [2, 4, 2]); // lookbacks 1..4 and 5..8

  it('naive repeats the last value of each target', () => {
    const m = naiveFamily.fit({ type: 'naive' }, ctx(s));
    const y = m.apply([x]);
    expect(y.shape).toEqual([2, 3, 2]);
    // targets in the order [b, a]
    expect(y.arraySync()).toEqual([
      [[40, 4], [40, 4], [40, 4]],
      [[40, 8], [40, 8], [40, 8]],
    ]);
    expect(m.countParams()).toBe(0);
    y.dispose();
  });

  it('seasonal_naive repeats the value one season back', () => {
    const m = seasonalNaiveFamily.fit(SeasonalNaiveSchema.parse({ type: 'seasonal_naive', season: 2 }), ctx(s));
    const y = m.apply([x]);
    // S = 2: steps 1, 2, 3 take rows L-2, L-1, L-2 of the window
    expect(y.arraySync()).toEqual([
      [[30, 3], [40, 4], [30, 3]],
      [[30, 7], [40, 8], [30, 7]],
    ]);
    y.dispose();
  });

  it('naive needs every target among the features', () => {
    const r = rows.map((v) => Float64Array.from(v));
    const odd = new ForecastSplit(r, { columns: ['a', 'b'], features: ['a'], targets: ['b'] }, fitScaler('none', ['a', 'b'], r), { lookback: 2, horizon: 1, stride: 1 }, [1]);
    expect(() => naiveFamily.fit({ type: 'naive' }, ctx(odd))).toThrow(/b is not in data.features \(a\)/);
  });
});

describe('ar', () => {
  it('recovers the coefficients of an AR(2) series', () => {
    // y_t = 0.6 y_{t-1} - 0.3 y_{t-2} + 2 + e_t,  e ~ N(0, 0.5²)
    const rng = new Rng(7);
    const y = [0, 0];
    for (let t = 2; t < 4000; t++) y.push(0.6 * y[t - 1] - 0.3 * y[t - 2] + 2 + 0.5 * rng.normal());
    const s = split(['y'], y.map((v) => [v]), 2, 1);
    const m = arFamily.fit(ArSchema.parse({ type: 'ar' }), ctx(s)) as LinearAr;
    // rows: y_{t-2}, y_{t-1}, intercept
    const [phi2, phi1, c] = Array.from(m.coef);
    expect(phi1).toBeCloseTo(0.6, 1);
    expect(phi2).toBeCloseTo(-0.3, 1);
    expect(c).toBeCloseTo(2, 0);
    expect(Math.abs(phi1 - 0.6)).toBeLessThan(0.03);
    expect(Math.abs(phi2 + 0.3)).toBeLessThan(0.03);
    expect(m.countParams()).toBe(3);

    // the forecast is the fitted linear function of the window
    const x = tf.tensor3d([[[1], [2]]], [1, 2, 1]);
    const out = m.apply([x]);
    expect(out.shape).toEqual([1, 1, 1]);
    expect(out.dataSync()[0]).toBeCloseTo(phi2 * 1 + phi1 * 2 + c, 4);

    // save → load → identical outputs
    const back = arFamily.load(JSON.parse(JSON.stringify(m.toJSON())), ArSchema.parse({ type: 'ar' }), 'baseline.json');
    const out2 = back.apply([x]);
    expect(Array.from(out2.dataSync())).toEqual(Array.from(out.dataSync()));
    tf.dispose([x, out, out2]);
    m.dispose();
    back.dispose();
  });

  it('fits every target and horizon step from all features (exact on a noiseless linear system)', () => {
    // a_t = t, b_t = 2t + 1: a linear model forecasts both two steps ahead exactly. The inputs are
    // collinear, so plain least squares is singular; the default ridge penalty (1e-6) settles it.
    const rows = Array.from({ length: 30 }, (_, t) => [t, 2 * t + 1]);
    const s = split(['a', 'b'], rows, 3, 2);
    expect(() => arFamily.fit(ArSchema.parse({ type: 'ar', l2: 0 }), ctx(s))).toThrow(/singular .* Set model.l2 above 0/);
    const m = arFamily.fit(ArSchema.parse({ type: 'ar' }), ctx(s));
    expect(m.countParams()).toBe((3 * 2 + 1) * 2 * 2);
    const x = tf.tensor3d([[[40, 81], [41, 83], [42, 85]]], [1, 3, 2]);
    const out = m.apply([x]).arraySync() as number[][][];
    [[43, 87], [44, 89]].forEach((row, h) => row.forEach((v, k) => expect(out[0][h][k]).toBeCloseTo(v, 2)));
    x.dispose();
  });
});
