/** Carving valid/test fractions off a dataset: contiguous (text, series) or after a seeded shuffle (examples). */
import type { DataConfig } from '../config/schema/index.js';
import { DataError } from '../util/errors.js';
import { Rng, range } from '../util/rng.js';

export interface Ranges {
  train: [number, number];
  valid: [number, number];
  test: [number, number];
}

/**
 * Contiguous ranges over n items: train first, then valid, then test (time order is kept).
 * A fraction of 0 (or a split given as a file) gives an empty range.
 */
export function carve(n: number, valid: number, test: number, what: string): Ranges {
  if (valid + test >= 0.95) throw new DataError(`${what}: valid + test fractions (${valid} + ${test}) leave no training data; lower them.`);
  const nTest = Math.round(n * test);
  const nValid = Math.round(n * valid);
  const nTrain = n - nValid - nTest;
  if (nTrain <= 0) throw new DataError(`${what}: too small to carve valid/test fractions from (${n} items).`);
  return { train: [0, nTrain], valid: [nTrain, nTrain + nValid], test: [nTrain + nValid, n] };
}

export interface Carved<T> {
  train: T[];
  /** undefined when the split is given as a file (the caller reads it) or its fraction is 0 */
  valid?: T[];
  test?: T[];
}

/**
 * Examples → train / valid / test. With `shuffle` the examples are shuffled (seeded) first;
 * otherwise the order of the file is kept. A positive fraction that leaves a split empty is an
 * error rather than a silent split of nothing.
 */
export function carveExamples<T>(
  items: readonly T[],
  d: Pick<DataConfig, 'valid' | 'test' | 'shuffle'>,
  seed: number,
  what: string,
): Carved<T> {
  const order = range(items.length);
  if (d.shuffle) new Rng(seed).shuffle(order);
  const vFrac = typeof d.valid === 'number' ? d.valid : 0;
  const tFrac = typeof d.test === 'number' ? d.test : 0;
  const r = carve(items.length, vFrac, tFrac, what);
  const take = ([a, b]: [number, number]) => order.slice(a, b).map((i) => items[i]);
  const part = (name: 'valid' | 'test', frac: number, span: [number, number]): T[] | undefined => {
    if (frac === 0) return undefined;
    if (span[1] === span[0]) {
      throw new DataError(
        `${what}: data.${name}: ${frac} of ${items.length} examples is an empty split; add examples, raise the fraction, or set data.${name}: 0.`,
      );
    }
    return take(span);
  };
  return { train: take(r.train), valid: part('valid', vFrac, r.valid), test: part('test', tFrac, r.test) };
}
