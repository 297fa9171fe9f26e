/**
 * Forecast errors in original units: MAE, RMSE, MAPE (%, over non-zero actuals), sMAPE (%) and
 * MASE (MAE over the in-sample naive one-step MAE of the training part, per target, then averaged),
 * overall and, as extra keys, per target (`mae/<target>`) and per horizon step (`mae/t+h`).
 */
import { tf } from '../backend/index.js';
import type { Split } from '../data/batch.js';
import { unscaleValue } from '../data/scaler.js';
import type { ForecastSplit } from '../data/windows.js';
import type { MetricAccumulator } from './types.js';

/** Sums of errors for one cell (target k, step h). */
class Sums {
  n = 0;
  abs = 0;
  sq = 0;
  ape = 0;
  apeN = 0;
  sape = 0;
  add(actual: number, forecast: number): void {
    const e = forecast - actual;
    this.n++;
    this.abs += Math.abs(e);
    this.sq += e * e;
    if (actual !== 0) {
      this.ape += Math.abs(e / actual);
      this.apeN++;
    }
    const d = Math.abs(actual) + Math.abs(forecast);
    if (d > 0) this.sape += (2 * Math.abs(e)) / d;
  }
  merge(o: Sums): void {
    this.n += o.n;
    this.abs += o.abs;
    this.sq += o.sq;
    this.ape += o.ape;
    this.apeN += o.apeN;
    this.sape += o.sape;
  }
}

export class ForecastErrors {
  /** cells[h][k] */
  private readonly cells: Sums[][];
  constructor(
    readonly targets: readonly string[],
    readonly horizon: number,
    readonly maseScale: readonly number[],
  ) {
    this.cells = Array.from({ length: horizon }, () => targets.map(() => new Sums()));
  }

  add(h: number, k: number, actual: number, forecast: number): void {
    this.cells[h][k].add(actual, forecast);
  }

  /** metrics over the cells picked by `hs` × `ks`; MASE averages the targets' scaled MAEs */
  private over(hs: number[], ks: number[]): Record<string, number> {
    const all = new Sums();
    let mase = 0;
    for (const k of ks) {
      const perK = new Sums();
      for (const h of hs) {
        perK.merge(this.cells[h][k]);
        all.merge(this.cells[h][k]);
      }
      mase += perK.abs / Math.max(1, perK.n) / this.maseScale[k];
    }
    const n = Math.max(1, all.n);
    return {
      mae: all.abs / n,
      rmse: Math.sqrt(all.sq / n),
      mape: all.apeN ? (100 * all.ape) / all.apeN : NaN,
      smape: (100 * all.sape) / n,
      mase: mase / ks.length,
    };
  }

  result(prefix = ''): Record<string, number> {
    const hs = Array.from({ length: this.horizon }, (_, h) => h);
    const ks = this.targets.map((_, k) => k);
    const out: Record<string, number> = {};
    const put = (r: Record<string, number>, suffix = '') => {
      for (const [m, v] of Object.entries(r)) out[`${prefix}${m}${suffix}`] = v;
    };
    put(this.over(hs, ks));
    if (ks.length > 1) for (const k of ks) put(this.over(hs, [k]), `/${this.targets[k]}`);
    if (hs.length > 1) for (const h of hs) put(this.over([h], ks), `/t+${h + 1}`);
    return out;
  }
}

/** loss (MSE on scaled values, as trained) and the errors in original units */
export class ForecastMetrics implements MetricAccumulator {
  private readonly errors: ForecastErrors;
  private sse = 0;
  private n = 0;
  constructor(private readonly split: ForecastSplit) {
    this.errors = new ForecastErrors(split.series.targets, split.shape.horizon, split.maseScale);
  }

  add(outputs: tf.Tensor, ys: tf.Tensor): void {
    const o = outputs.dataSync();
    const y = ys.dataSync();
    const { targets } = this.split.series;
    const K = targets.length;
    const H = this.split.shape.horizon;
    for (let i = 0; i < y.length; i++) {
      this.sse += (o[i] - y[i]) ** 2;
      const k = i % K;
      const h = Math.floor(i / K) % H;
      const t = targets[k];
      this.errors.add(h, k, unscaleValue(this.split.scaler, t, y[i]), unscaleValue(this.split.scaler, t, o[i]));
    }
    this.n += y.length;
  }

  result(): Record<string, number> {
    return { loss: this.sse / Math.max(1, this.n), ...this.errors.result(), windows: this.n / (this.split.K * this.split.shape.horizon) };
  }
}

export const forecastMetrics = (split: Split) => new ForecastMetrics(split as ForecastSplit);

/** The naive forecast (the last observed value, for every step) scored on `split`, in original units. */
export function naiveBaseline(split: ForecastSplit): Record<string, number> {
  const { K } = split;
  const { lookback: L, horizon: H } = split.shape;
  const e = new ForecastErrors(split.series.targets, H, split.maseScale);
  for (let w = 0; w < split.size; w++) {
    const s = split.start(w);
    for (let h = 0; h < H; h++) for (let k = 0; k < K; k++) e.add(h, k, split.raw[(s + L + h) * K + k], split.raw[(s + L - 1) * K + k]);
  }
  return e.result('naive_');
}
