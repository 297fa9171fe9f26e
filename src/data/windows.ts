/**
 * Forecasting windows over one part (train, valid or test) of a series, so no window crosses a
 * split boundary. Window k starts at s = k·stride: inputs are the features of rows s .. s+L-1,
 * targets the targets of rows s+L .. s+L+H-1 (L lookback, H horizon), both scaled.
 */
import { tf } from '../backend/index.js';
import { DataError } from '../util/errors.js';
import type { Batch, Split } from './batch.js';
import { scaleValue, type ScalerJSON } from './scaler.js';
import type { Series } from './series.js';

export interface WindowShape {
  lookback: number;
  horizon: number;
  stride: number;
  /** train.tbptt: train on the last `chunk` lookback steps only (null = all) */
  chunk?: number | null;
}

export class ForecastSplit implements Split {
  readonly size: number;
  readonly targetsPerExample: number;
  readonly n: number;
  readonly F: number;
  readonly K: number;
  /** [n, F] scaled features */
  readonly x: Float32Array;
  /** [n, K] scaled targets */
  readonly y: Float32Array;
  /** [n, K] targets in original units (for metrics and the naive baseline) */
  readonly raw: Float64Array;
  /** input steps per example */
  readonly steps: number;

  constructor(
    rows: readonly Float64Array[],
    readonly series: Pick<Series, 'columns' | 'features' | 'targets'>,
    readonly scaler: ScalerJSON,
    readonly shape: WindowShape,
    /** per target: mean |y_t - y_{t-1}| on the training part, the MASE denominator */
    readonly maseScale: readonly number[],
  ) {
    const { columns, features, targets } = series;
    this.n = rows.length;
    this.F = features.length;
    this.K = targets.length;
    const fi = features.map((c) => columns.indexOf(c));
    const ti = targets.map((c) => columns.indexOf(c));
    this.x = new Float32Array(this.n * this.F);
    this.y = new Float32Array(this.n * this.K);
    this.raw = new Float64Array(this.n * this.K);
    rows.forEach((r, i) => {
      fi.forEach((c, j) => (this.x[i * this.F + j] = scaleValue(scaler, features[j], r[c])));
      ti.forEach((c, j) => {
        this.raw[i * this.K + j] = r[c];
        this.y[i * this.K + j] = scaleValue(scaler, targets[j], r[c]);
      });
    });
    const { lookback: L, horizon: H, stride } = shape;
    this.size = this.n >= L + H ? Math.floor((this.n - L - H) / stride) + 1 : 0;
    this.steps = shape.chunk ? Math.min(shape.chunk, L) : L;
    this.targetsPerExample = H * this.K;
  }

  /** first row of window k */
  start(k: number): number {
    return k * this.shape.stride;
  }

  /** xs: [[B, steps, F] float32] (the last `steps` of the lookback); ys: [B, H, K] float32 */
  batch(indices: readonly number[]): Batch {
    const { lookback: L, horizon: H } = this.shape;
    const { F, K, steps } = this;
    const x = new Float32Array(indices.length * steps * F);
    const y = new Float32Array(indices.length * H * K);
    indices.forEach((k, b) => {
      const s = this.start(k) + L - steps;
      x.set(this.x.subarray(s * F, (s + steps) * F), b * steps * F);
      const t = this.start(k) + L;
      y.set(this.y.subarray(t * K, (t + H) * K), b * H * K);
    });
    return {
      xs: [tf.tensor3d(x, [indices.length, steps, F], 'float32')],
      ys: tf.tensor3d(y, [indices.length, H, K], 'float32'),
    };
  }
}

/** Mean absolute one-step change of each target over `rows` (the in-sample naive error). */
export function naiveScale(rows: readonly Float64Array[], columns: string[], targets: string[]): number[] {
  return targets.map((t) => {
    const c = columns.indexOf(t);
    let s = 0;
    for (let i = 1; i < rows.length; i++) s += Math.abs(rows[i][c] - rows[i - 1][c]);
    return rows.length > 1 ? s / (rows.length - 1) : NaN;
  });
}

/** Windows over one part; a DataError naming the part when not even one window fits. */
export function forecastWindows(
  rows: readonly Float64Array[],
  series: Pick<Series, 'columns' | 'features' | 'targets'>,
  scaler: ScalerJSON,
  shape: WindowShape,
  maseScale: readonly number[],
  what: string,
): ForecastSplit {
  const split = new ForecastSplit(rows, series, scaler, shape, maseScale);
  if (split.size === 0) {
    throw new DataError(
      `${what} has ${rows.length} rows, fewer than one window needs (data.lookback + data.horizon = ${shape.lookback} + ${shape.horizon} = ${shape.lookback + shape.horizon}).\n` +
        'Lower data.lookback or data.horizon, or give this part more rows.',
    );
  }
  return split;
}
