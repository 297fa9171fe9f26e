/**
 * Forecasting: predict the next `horizon` values of the target columns from the last `lookback`
 * rows of the feature columns. The series is split in time order (train, valid, test), each part
 * windowed on its own so no window crosses a boundary; the scaler and the MASE denominator come
 * from the training part only.
 */
import { tf } from '../backend/index.js';
import type { Config } from '../config/schema/index.js';
import type { Split } from '../data/batch.js';
import { fileRecord, trainFiles } from '../data/files.js';
import { fitScaler, scaleValue, scalerFrom, unscaleValue, type ScalerJSON } from '../data/scaler.js';
import { nextDates, readSeries, type Series } from '../data/series.js';
import { carve } from '../data/split.js';
import { ForecastSplit, forecastWindows, naiveScale, type WindowShape } from '../data/windows.js';
import { DataError, SeqnetError } from '../util/errors.js';
import { forecastMetrics, naiveBaseline } from './forecast_metrics.js';
import { predict as apply } from './score.js';
import type { Artifacts, Prepared, TaskSpec } from './types.js';

const shapeOf = (cfg: Config, chunk: number | null = null): WindowShape => ({
  lookback: cfg.data.lookback,
  horizon: cfg.data.horizon,
  stride: cfg.data.stride ?? 1,
  chunk,
});

interface Parts {
  series: Series;
  train: Float64Array[];
  valid?: Float64Array[];
  test?: Float64Array[];
  warnings: string[];
}

/** The training series cut in time order, with valid/test given as fractions or files. */
function parts(cfg: Config): Parts {
  const d = cfg.data;
  const files = trainFiles(d.train);
  if (files.length > 1) throw new DataError(`forecasting reads one series; data.train lists ${files.length} files. Join them into one file in time order.`);
  const { series, warnings } = readSeries(files[0], d, 'training file');
  const need = d.lookback + d.horizon;
  if (series.rows.length < need) {
    throw new DataError(
      `${files[0]}: the series has ${series.rows.length} rows, fewer than data.lookback + data.horizon = ${need}.\nLower them or use a longer series.`,
    );
  }
  const r = carve(series.rows.length, typeof d.valid === 'number' ? d.valid : 0, typeof d.test === 'number' ? d.test : 0, files[0]);
  const part = (k: 'valid' | 'test', range: [number, number]): Float64Array[] | undefined => {
    const v = d[k];
    if (typeof v === 'string') {
      const other = readSeries(v, d, `${k} file`);
      warnings.push(...other.warnings);
      return other.series.rows;
    }
    return v === 0 ? undefined : series.rows.slice(...range);
  };
  return { series, train: series.rows.slice(...r.train), valid: part('valid', r.valid), test: part('test', r.test), warnings };
}

function scalerOf(cfg: Config, p: Parts, artifacts?: Artifacts): ScalerJSON {
  return artifacts?.scaler ? scalerFrom(artifacts.scaler, p.series.columns, 'scaler.json') : fitScaler(cfg.data.scaler, p.series.columns, p.train);
}

export const forecasting: TaskSpec = {
  task: 'forecasting',

  prepare(cfg: Config, artifacts?: Artifacts): Prepared {
    const d = cfg.data;
    const p = parts(cfg);
    const scaler = scalerOf(cfg, p, artifacts);
    const mase = naiveScale(p.train, p.series.columns, p.series.targets);
    const file = p.series.file;
    const name = (k: 'valid' | 'test') => (typeof d[k] === 'string' ? `${d[k] as string}` : `the ${k} part of ${file} (${d[k]} of the rows)`);
    const win = (rows: Float64Array[] | undefined, what: string, chunk: number | null = null) =>
      rows ? forecastWindows(rows, p.series, scaler, shapeOf(cfg, chunk), mase, what) : undefined;
    return {
      info: { seqLen: d.lookback, numFeatures: p.series.features.length, horizon: d.horizon, numTargets: p.series.targets.length },
      train: win(p.train, `the training part of ${file}`, cfg.train.tbptt)!,
      valid: win(p.valid, name('valid')),
      test: win(p.test, name('test')),
      artifacts: { scaler },
      files: [file, ...[d.valid, d.test].filter((x): x is string => typeof x === 'string')].map(fileRecord),
      warnings: p.warnings,
    };
  },

  fileSplit(cfg, artifacts, file) {
    const p = parts(cfg);
    const scaler = scalerFrom(artifacts.scaler, p.series.columns, 'scaler.json');
    const { series, warnings } = readSeries(file, cfg.data);
    const mase = naiveScale(p.train, p.series.columns, p.series.targets);
    return { split: forecastWindows(series.rows, series, scaler, shapeOf(cfg), mase, file), warnings: [...p.warnings, ...warnings] };
  },

  loss: (outputs, ys) => tf.losses.meanSquaredError(ys, outputs) as tf.Scalar,
  metrics: forecastMetrics,
  baseline: (_train: Split, split: Split) => naiveBaseline(split as ForecastSplit),

  /** the next `horizon` values of each target after the last `lookback` rows of the file */
  predict(model, cfg, artifacts, input) {
    if (!input.file) throw new SeqnetError('forecasting predicts from a series: use --file FILE (a table with the training columns), not --input.', 2);
    const d = cfg.data;
    const { series, warnings } = readSeries(input.file, d);
    const scaler = scalerFrom(artifacts.scaler, series.columns, 'scaler.json');
    const L = d.lookback;
    if (series.rows.length < L) throw new DataError(`${input.file}: ${series.rows.length} rows, but the model needs the last data.lookback = ${L} rows.`);
    const F = series.features.length;
    const x = new Float32Array(L * F);
    series.rows.slice(-L).forEach((r, t) => series.features.forEach((c, j) => (x[t * F + j] = scaleValue(scaler, c, r[series.columns.indexOf(c)]))));
    const out = tf.tidy(() => apply(model, [tf.tensor3d(x, [1, L, F])]));
    const v = out.arraySync() as number[][][];
    out.dispose();
    const dates = nextDates(series.dates, d.horizon);
    const steps = v[0].map((row, h) => ({
      step: h + 1,
      ...(dates ? { date: dates[h] } : {}),
      values: Object.fromEntries(series.targets.map((t, k) => [t, unscaleValue(scaler, t, row[k])])),
    }));
    const head = ['step', ...(dates ? ['date'] : []), ...series.targets].join('\t');
    const lines = steps.map((s) => [`t+${s.step}`, ...(s.date ? [s.date] : []), ...series.targets.map((t) => s.values[t].toPrecision(6))].join('\t'));
    return { results: { targets: series.targets, after_line: series.lines[series.lines.length - 1], steps }, render: [head, ...lines].join('\n'), warnings };
  },
};
