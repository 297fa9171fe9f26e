/** Forecasting data by hand: a 10-row series, lookback 3, horizon 2. */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { loadConfig } from '../../src/config/load.js';
import { readSeries } from '../../src/data/series.js';
import type { ForecastSplit } from '../../src/data/windows.js';
import { forecasting } from '../../src/tasks/forecasting.js';
import { DataError } from '../../src/util/errors.js';
import { fixture } from '../helpers/tmp.js';

// y = 1..10, x = 10·y
const SERIES = 'day,x,y\n' + Array.from({ length: 10 }, (_, i) => `d${i + 1},${10 * (i + 1)},${i + 1}`).join('\n') + '\n';
const yaml = (data: string) =>
  `name: s\ntask: forecasting\ndata:\n  train: s.csv\n  features: [x, y]\n  targets: [y]\n  lookback: 3\n  horizon: 2\n${data}\nmodel: { type: gru, units: 4, layers: 1 }\n`;
let dir: string;
const prepare = (data: string, set: string[] = []) => {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, yaml(data));
  return forecasting.prepare(loadConfig(file, { set }));
};
async function windowsOf(s: ForecastSplit | undefined) {
  const b = s!.batch(Array.from({ length: s!.size }, (_, i) => i));
  const out = { x: await b.xs[0].array(), y: await b.ys.array() };
  tf.dispose([...b.xs, b.ys]);
  return out;
}

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
  dir = fixture({
    's.csv': SERIES,
    'gaps.csv': 'x,y\n1,1\n2,2\n,3\n4,4\nn/a,5\n6,6\n',
    'lead.csv': 'x,y\n,1\n2,2\n3,\n4,4\n',
  });
});

describe('forecasting windows and splits', () => {
  it('splits in time order and windows each part on its own (no window crosses a boundary)', async () => {
    const p = prepare('  valid: 0\n  test: 0.5\n  scaler: none');
    // train = rows 1..5 → one window; test = rows 6..10 → one window; a window starting at row 4 would cross
    expect(await windowsOf(p.train as ForecastSplit)).toEqual({ x: [[[10, 1], [20, 2], [30, 3]]], y: [[[4], [5]]] });
    expect(await windowsOf(p.test as ForecastSplit)).toEqual({ x: [[[60, 6], [70, 7], [80, 8]]], y: [[[9], [10]]] });
    expect(p.valid).toBeUndefined();
    expect(p.info).toEqual({ seqLen: 3, numFeatures: 2, horizon: 2, numTargets: 1 });
  });

  it('steps windows by the stride', async () => {
    const p = prepare('  valid: 0\n  test: 0\n  scaler: none\n  stride: 2');
    // starts 0, 2, 4 (start 6 would need rows 7..11)
    const w = await windowsOf(p.train as ForecastSplit);
    expect(w.y).toEqual([[[4], [5]], [[6], [7]], [[8], [9]]]);
  });

  it('fits the scaler on the training part only and saves it', async () => {
    const p = prepare('  valid: 0\n  test: 0.5\n  scaler: standard');
    // train y = 1..5: mean 3, population std √2; x = 10..50: mean 30, std 10√2
    expect(p.artifacts.scaler).toEqual({ type: 'standard', columns: ['x', 'y'], shift: [30, 3], scale: [10 * Math.SQRT2, Math.SQRT2] });
    const t = await windowsOf(p.test as ForecastSplit);
    expect(t.y[0][0][0]).toBeCloseTo((9 - 3) / Math.SQRT2, 5);
    const m = prepare('  valid: 0\n  test: 0.5\n  scaler: minmax');
    expect(m.artifacts.scaler).toMatchObject({ shift: [10, 1], scale: [40, 4] });
    expect((await windowsOf(m.test as ForecastSplit)).y[0][1][0]).toBeCloseTo((10 - 1) / 4, 6);
  });

  it('trains on the last K lookback steps under train.tbptt', async () => {
    const p = prepare('  valid: 0\n  test: 0.5\n  scaler: none', ['train.tbptt=2']);
    expect((await windowsOf(p.train as ForecastSplit)).x).toEqual([[[20, 2], [30, 3]]]);
    expect((await windowsOf(p.test as ForecastSplit)).x[0]).toHaveLength(3);
  });

  it('refuses a part too short for one window, and a series shorter than lookback + horizon', () => {
    expect(() => prepare('  valid: 0.2\n  test: 0.2')).toThrow(/valid part of .*s\.csv \(0\.2 of the rows\) has 2 rows, fewer than one window needs \(data\.lookback \+ data\.horizon = 3 \+ 2 = 5\)/);
    expect(() => prepare('  valid: 0\n  test: 0', ['data.lookback=9'])).toThrow(/the series has 10 rows, fewer than data\.lookback \+ data\.horizon = 11/);
  });
});

describe('missing values', () => {
  const d = { format: null, features: null, targets: null, date_column: null } as const;
  it('reports the count and first lines with missing: error', () => {
    try {
      readSeries(path.join(dir, 'gaps.csv'), { ...d, missing: 'error' });
      throw new Error('expected a DataError');
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      expect((e as Error).message).toMatch(/gaps\.csv: 2 row\(s\) with missing or non-numeric values: line 4 \(x = ""\), line 6 \(x = "n\/a"\)\.\nFix the data, or set data\.missing: drop \| ffill\./);
    }
  });

  it('drops those rows, or fills them forward (dropping leading rows with nothing to fill from)', () => {
    const drop = readSeries(path.join(dir, 'gaps.csv'), { ...d, missing: 'drop' });
    expect(drop.series.rows.map((r) => r[1])).toEqual([1, 2, 4, 6]);
    expect(drop.series.lines).toEqual([2, 3, 5, 7]);
    const ffill = readSeries(path.join(dir, 'gaps.csv'), { ...d, missing: 'ffill' });
    expect(ffill.series.rows.map((r) => Array.from(r))).toEqual([[1, 1], [2, 2], [2, 3], [4, 4], [4, 5], [6, 6]]);
    const lead = readSeries(path.join(dir, 'lead.csv'), { ...d, missing: 'ffill' });
    expect(lead.series.rows.map((r) => Array.from(r))).toEqual([[2, 2], [3, 2], [4, 4]]);
    expect(lead.warnings[0]).toMatch(/dropped 1 leading row/);
  });
});
