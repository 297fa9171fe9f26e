/**
 * Per-column scaling for forecasting, fitted on the training part only and saved in the run as
 * `scaler.json`: x' = (x - shift) / scale.
 *   standard: shift = mean, scale = standard deviation (population)
 *   minmax:   shift = min,  scale = max - min
 *   none:     shift = 0,    scale = 1
 * A constant column gets scale 1, so it maps to 0 instead of dividing by zero.
 */
import type { DataConfig } from '../config/schema/index.js';
import { RunError } from '../util/errors.js';

export interface ScalerJSON {
  type: DataConfig['scaler'];
  columns: string[];
  shift: number[];
  scale: number[];
}

/** Fits on `rows` (each row holds the values of `columns`, in order). */
export function fitScaler(type: DataConfig['scaler'], columns: string[], rows: readonly Float64Array[]): ScalerJSON {
  const C = columns.length;
  const shift = new Array<number>(C).fill(0);
  const scale = new Array<number>(C).fill(1);
  if (type !== 'none') {
    for (let c = 0; c < C; c++) {
      let a = 0;
      let b = 0;
      if (type === 'standard') {
        for (const r of rows) a += r[c];
        a /= rows.length;
        for (const r of rows) b += (r[c] - a) ** 2;
        b = Math.sqrt(b / rows.length);
      } else {
        a = Infinity;
        let hi = -Infinity;
        for (const r of rows) {
          a = Math.min(a, r[c]);
          hi = Math.max(hi, r[c]);
        }
        b = hi - a;
      }
      shift[c] = a;
      scale[c] = b > 1e-12 ? b : 1;
    }
  }
  return { type, columns: [...columns], shift, scale };
}

export function scalerFrom(j: unknown, columns: string[], source: string): ScalerJSON {
  const s = j as Partial<ScalerJSON> | undefined;
  if (!s || !Array.isArray(s.columns) || !Array.isArray(s.shift) || !Array.isArray(s.scale)) {
    throw new RunError(`${source}: scaler.json is missing or damaged.`);
  }
  const missing = columns.filter((c) => !s.columns!.includes(c));
  if (missing.length) throw new RunError(`${source}: scaler.json has no entry for column(s) ${missing.join(', ')}; the run was trained on other columns.`);
  return s as ScalerJSON;
}

/** index of `column` in the scaler */
const at = (s: ScalerJSON, column: string) => s.columns.indexOf(column);

export function scaleValue(s: ScalerJSON, column: string, v: number): number {
  const c = at(s, column);
  return (v - s.shift[c]) / s.scale[c];
}

export function unscaleValue(s: ScalerJSON, column: string, v: number): number {
  const c = at(s, column);
  return v * s.scale[c] + s.shift[c];
}
