/**
 * Forecasting baselines on the scaled windows of the forecasting task: features [B, L, F] →
 * values [B, H, K] (L lookback, F features, H horizon, K targets), in the task's scaled units.
 *   naive          — every step repeats the last observed value of each target
 *   seasonal_naive — step h (1-based) repeats the value S·ceil(h/S) rows earlier (one season back)
 *   ar             — a linear function of all L·F inputs plus an intercept, per target and step,
 *                    fitted by ridge-stabilised least squares on the training windows
 * naive and seasonal_naive read the targets from the inputs, so every target must be a feature.
 */
import { tf } from '../backend/index.js';
import type { ArConfig, NaiveConfig, SeasonalNaiveConfig } from '../config/schema/index.js';
import { ForecastSplit } from '../data/windows.js';
import { DataError, RunError, SeqnetError } from '../util/errors.js';
import { ridgeFit } from './linalg.js';
import { single, type Baseline, type BaselineJSON, type FitContext, type FittedFamily } from './types.js';

function forecastSplit(ctx: FitContext, type: string): ForecastSplit {
  if (!(ctx.train instanceof ForecastSplit)) throw new SeqnetError(`model type ${type} forecasts a series (task forecasting), not task ${ctx.task}`, 2);
  return ctx.train;
}

const damaged = (source: string, why: string) => new RunError(`${source}: ${why}; the run directory is damaged or from another model.`);

/** Repeats the last season (S = 1: the last value) of each target over the horizon. */
export class SeasonalRepeat implements Baseline {
  constructor(
    readonly type: 'naive' | 'seasonal_naive',
    readonly season: number,
    /** per target, its index among the features */
    readonly targetFeatures: number[],
    readonly horizon: number,
  ) {}

  static fit(type: 'naive' | 'seasonal_naive', season: number, split: ForecastSplit): SeasonalRepeat {
    const { features, targets } = split.series;
    const missing = targets.filter((t) => !features.includes(t));
    if (missing.length) {
      throw new DataError(
        `model type ${type} repeats past values of each target, so every target must also be an input feature; ` +
          `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in data.features (${features.join(', ')}). Add ${missing.length > 1 ? 'them' : 'it'} to data.features.`,
      );
    }
    return new SeasonalRepeat(type, season, targets.map((t) => features.indexOf(t)), split.shape.horizon);
  }

  /** x [B, L, F] → [B, H, K] */
  apply(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor3D {
    const x = single(inputs) as tf.Tensor3D;
    const L = x.shape[1];
    if (this.season > L) throw new SeqnetError(`${this.type}: the input has ${L} steps, fewer than one season (${this.season})`, 2);
    return tf.tidy(() => {
      const last = x.slice([0, L - this.season, 0], [-1, this.season, -1]).gather(this.targetFeatures, 2); // [B, S, K]
      return last.gather(Array.from({ length: this.horizon }, (_, h) => h % this.season), 1) as tf.Tensor3D; // [B, H, K]
    });
  }

  countParams(): number {
    return 0;
  }
  dispose(): void {}

  toJSON(): BaselineJSON {
    return { type: this.type, season: this.season, target_features: this.targetFeatures, horizon: this.horizon };
  }

  static fromJSON(type: 'naive' | 'seasonal_naive', season: number, j: unknown, source: string): SeasonalRepeat {
    const o = j as Partial<{ type: string; season: number; target_features: number[]; horizon: number }>;
    if (o?.type !== type) throw damaged(source, `expected a ${type} model, found type ${JSON.stringify(o?.type)}`);
    if (o.season !== season) throw damaged(source, `season ${String(o.season)} does not match the config`);
    if (!Array.isArray(o.target_features) || typeof o.horizon !== 'number') throw damaged(source, 'target_features or horizon missing');
    return new SeasonalRepeat(type, season, o.target_features, o.horizon);
  }
}

export const naiveFamily: FittedFamily<NaiveConfig> = {
  fit: (_cfg, ctx) => SeasonalRepeat.fit('naive', 1, forecastSplit(ctx, 'naive')),
  load: (json, _cfg, source) => SeasonalRepeat.fromJSON('naive', 1, json, source),
};

export const seasonalNaiveFamily: FittedFamily<SeasonalNaiveConfig> = {
  fit: (cfg, ctx) => SeasonalRepeat.fit('seasonal_naive', cfg.season, forecastSplit(ctx, 'seasonal_naive')),
  load: (json, cfg, source) => SeasonalRepeat.fromJSON('seasonal_naive', cfg.season, json, source),
};

/** y [H·K] = xᵀ W + b over the flattened window x [L·F]. */
export class LinearAr implements Baseline {
  private readonly W: tf.Tensor2D;
  private readonly b: tf.Tensor1D;
  /**
   * coef: [(L·F + 1), H·K] row-major; row t·F + f is the input feature f at window step t
   * (t = L-1 is the latest), the last row the intercept; column h·K + k is target k at step h+1.
   */
  constructor(
    readonly lookback: number,
    readonly features: number,
    readonly horizon: number,
    readonly targets: number,
    readonly coef: Float64Array,
  ) {
    const p = lookback * features;
    const q = horizon * targets;
    this.W = tf.tensor2d(Float32Array.from(coef.subarray(0, p * q)), [p, q]);
    this.b = tf.tensor1d(Float32Array.from(coef.subarray(p * q)));
  }

  static fit(cfg: ArConfig, split: ForecastSplit): LinearAr {
    const { lookback: L, horizon: H } = split.shape;
    const { F, K } = split;
    const p = L * F + 1;
    const rows: Float64Array[] = [];
    const ys: Float64Array[] = [];
    for (let w = 0; w < split.size; w++) {
      const s = split.start(w);
      const row = new Float64Array(p);
      row.set(split.x.subarray(s * F, (s + L) * F));
      row[p - 1] = 1;
      rows.push(row);
      ys.push(Float64Array.from(split.y.subarray((s + L) * K, (s + L + H) * K)));
    }
    if (rows.length < 2) throw new DataError(`ar: the training part has ${rows.length} window(s); least squares needs more. Use a longer series or a smaller data.lookback.`);
    const coef = ridgeFit(rows, ys, p, H * K, cfg.l2);
    if (!coef) {
      throw new DataError(
        `ar: the least-squares system of the training windows is singular (${p} coefficients from ${rows.length} windows; constant or duplicated features?). Set model.l2 above 0 or lower data.lookback.`,
      );
    }
    return new LinearAr(L, F, H, K, coef);
  }

  /** x [B, L, F] → [B, H, K] */
  apply(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor3D {
    const x = single(inputs) as tf.Tensor3D;
    const [B, L, F] = x.shape;
    if (L !== this.lookback || F !== this.features) {
      throw new SeqnetError(`ar was fitted on windows of ${this.lookback} steps × ${this.features} features; got ${L} × ${F}`, 2);
    }
    return tf.tidy(() => x.reshape([B, L * F]).matMul(this.W).add(this.b).reshape([B, this.horizon, this.targets]) as tf.Tensor3D);
  }

  countParams(): number {
    return this.coef.length;
  }

  dispose(): void {
    tf.dispose([this.W, this.b]);
  }

  toJSON(): BaselineJSON {
    return { type: 'ar', lookback: this.lookback, features: this.features, horizon: this.horizon, targets: this.targets, coef: Array.from(this.coef) };
  }

  static fromJSON(j: unknown, source: string): LinearAr {
    const o = j as Partial<{ type: string; lookback: number; features: number; horizon: number; targets: number; coef: number[] }>;
    if (o?.type !== 'ar') throw damaged(source, `expected an ar model, found type ${JSON.stringify(o?.type)}`);
    const { lookback: L, features: F, horizon: H, targets: K, coef } = o;
    if (![L, F, H, K].every((v) => Number.isInteger(v) && v! > 0) || !Array.isArray(coef) || coef.length !== (L! * F! + 1) * H! * K!) {
      throw damaged(source, 'lookback, features, horizon, targets or coef missing or inconsistent');
    }
    return new LinearAr(L!, F!, H!, K!, Float64Array.from(coef));
  }
}

export const arFamily: FittedFamily<ArConfig> = {
  fit: (cfg, ctx) => LinearAr.fit(cfg, forecastSplit(ctx, 'ar')),
  load: (json, _cfg, source) => LinearAr.fromJSON(json, source),
};
