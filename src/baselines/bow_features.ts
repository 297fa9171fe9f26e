/**
 * Bag-of-n-grams features of token id sequences, as scikit-learn's CountVectorizer /
 * TfidfVectorizer compute them over words:
 *   count  — occurrences of each kept n-gram in the sequence
 *   binary — 1 if it occurs, else 0
 *   tfidf  — count × idf, idf = ln((1 + N) / (1 + df)) + 1 (N training sequences, df of them
 *            containing the n-gram), then the row scaled to unit L2 length
 * The kept n-grams (the feature vocabulary) are the `max_features` most frequent in the training
 * sequences, most frequent first (ties: the first seen first). Padding (id 0) is never a token.
 */
import type { BowConfig } from '../config/schema/index.js';
import { PAD } from '../data/tokenizers/index.js';

export interface BowVocab {
  ngram_range: [number, number];
  weighting: BowConfig['weighting'];
  /** feature j is the n-gram `features[j]`: its ids joined by spaces */
  features: string[];
  /** per feature, for tfidf; null otherwise */
  idf: number[] | null;
}

/** Every n-gram of the real (non-pad) tokens of `ids`, lo ≤ n ≤ hi, shortest first. */
export function ngramsOf(ids: ArrayLike<number>, lo: number, hi: number): string[] {
  const toks: number[] = [];
  for (let i = 0; i < ids.length; i++) if (ids[i] !== PAD) toks.push(ids[i]);
  const out: string[] = [];
  for (let n = lo; n <= hi; n++) for (let i = 0; i + n <= toks.length; i++) out.push(toks.slice(i, i + n).join(' '));
  return out;
}

export function fitBow(docs: readonly ArrayLike<number>[], cfg: Pick<BowConfig, 'ngram_range' | 'weighting' | 'max_features'>): BowVocab {
  const [lo, hi] = cfg.ngram_range;
  const total = new Map<string, number>();
  const df = new Map<string, number>();
  for (const d of docs) {
    const grams = ngramsOf(d, lo, hi);
    for (const g of grams) total.set(g, (total.get(g) ?? 0) + 1);
    for (const g of new Set(grams)) df.set(g, (df.get(g) ?? 0) + 1);
  }
  // a stable sort keeps first-seen order among equal counts
  let features = [...total.keys()].sort((a, b) => total.get(b)! - total.get(a)!);
  if (cfg.max_features !== null) features = features.slice(0, cfg.max_features);
  const N = docs.length;
  const idf = cfg.weighting === 'tfidf' ? features.map((g) => Math.log((1 + N) / (1 + df.get(g)!)) + 1) : null;
  return { ngram_range: [lo, hi], weighting: cfg.weighting, features, idf };
}

/** index of each feature's n-gram, built once per vocabulary */
const indexes = new WeakMap<BowVocab, Map<string, number>>();

/** Features of `docs` → [N, F] row-major. N-grams outside the vocabulary are ignored. */
export function featurize(docs: readonly ArrayLike<number>[], v: BowVocab): Float32Array {
  let index = indexes.get(v);
  if (!index) indexes.set(v, (index = new Map(v.features.map((g, j) => [g, j]))));
  const F = v.features.length;
  const out = new Float32Array(docs.length * F);
  docs.forEach((d, i) => {
    const row = out.subarray(i * F, (i + 1) * F);
    for (const g of ngramsOf(d, v.ngram_range[0], v.ngram_range[1])) {
      const j = index.get(g);
      if (j === undefined) continue;
      row[j] = v.weighting === 'binary' ? 1 : row[j] + 1;
    }
    if (v.idf) {
      let norm = 0;
      for (let j = 0; j < F; j++) {
        row[j] *= v.idf[j];
        norm += row[j] * row[j];
      }
      if (norm > 0) for (let j = 0; j < F; j++) row[j] /= Math.sqrt(norm);
    }
  });
  return out;
}
