/** Fitting token sequences to a fixed length: truncate (pre | post) and pad with <pad> (0) at the end. */
import { PAD } from './tokenizers/types.js';

export type Truncate = 'pre' | 'post';

/** The part of `ids` kept at length `T`: the last T (pre) or the first T (post). */
export function truncated<X>(ids: readonly X[], T: number, truncate: Truncate): readonly X[] {
  if (ids.length <= T) return ids;
  return truncate === 'pre' ? ids.slice(ids.length - T) : ids.slice(0, T);
}

/**
 * Writes `ids` cut to `T` into `out` at `offset`, padding the rest with `pad`;
 * returns the number of real (unpadded) positions.
 */
export function padInto(out: Int32Array | Float32Array, offset: number, ids: readonly number[], T: number, truncate: Truncate, pad = PAD): number {
  const kept = truncated(ids, T, truncate);
  for (let t = 0; t < T; t++) out[offset + t] = t < kept.length ? kept[t] : pad;
  return kept.length;
}
