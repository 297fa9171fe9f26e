/** Carving valid/test fractions off a dataset. */
import { DataError } from '../util/errors.js';

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
