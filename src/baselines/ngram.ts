/**
 * ngram: a count-based language model over the tokenizer's ids (V of them, specials included).
 * Each position's next token is predicted from at most order-1 tokens before it (fewer at the start
 * of a window: the context never reaches outside the input).
 *
 *   kneser_ney (interpolated, Chen & Goodman 1998), for a context h of length m and its suffix h':
 *     P(w | h) = max(c(hw) - D, 0) / c(h·) + D · N1+(h·) / c(h·) · P(w | h')      (h seen)
 *              = P(w | h')                                                          (h unseen)
 *   where c is the raw count at the order the context asks for (the highest order used) and the
 *   continuation count N1+(·hw) — how many distinct tokens precede hw — at the lower orders; the
 *   recursion ends at the uniform 1/V, so every token keeps some probability.
 *   add_k: P(w | h) = (c(hw) + k) / (c(h·) + k·V), at the highest order only.
 *
 * Outputs log-probabilities [B, T, V]: they are their own log-softmax, so the language_model
 * task's cross-entropy gives the model's perplexity unchanged.
 */
import { tf } from '../backend/index.js';
import type { NgramConfig } from '../config/schema/index.js';
import { WindowSplit } from '../data/lm.js';
import { RunError, SeqnetError } from '../util/errors.js';
import { single, type Baseline, type BaselineJSON, type FittedFamily } from './types.js';

/** Next-token counts after one context. */
interface Row {
  total: number;
  next: Map<number, number>;
}
/** context key (ids joined by spaces, '' for the empty context) → its row */
type Table = Map<string, Row>;

/** the smallest estimated Kneser-Ney discount: D = 0 would leave unseen tokens no probability */
const MIN_DISCOUNT = 0.1;

function keyOf(ids: ArrayLike<number>, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += i > from ? ` ${ids[i]}` : `${ids[i]}`;
  return s;
}

function addTo(t: Table, key: string, w: number, by: number): void {
  let r = t.get(key);
  if (!r) t.set(key, (r = { total: 0, next: new Map() }));
  r.total += by;
  r.next.set(w, (r.next.get(w) ?? 0) + by);
}

/** D = n1 / (n1 + 2·n2) from the counts of counts (Ney, Essen & Kneser 1994) */
function estimateDiscount(t: Table): number {
  let n1 = 0;
  let n2 = 0;
  for (const r of t.values()) {
    for (const c of r.next.values()) {
      if (c === 1) n1++;
      else if (c === 2) n2++;
    }
  }
  return n1 + 2 * n2 > 0 ? Math.min(1, Math.max(MIN_DISCOUNT, n1 / (n1 + 2 * n2))) : 0.5;
}

export class NgramLM implements Baseline {
  readonly contextLength: number;
  /** cont[m]: continuation counts N1+(· h w) for contexts h of length m < order - 1 */
  private readonly cont: Table[] = [];
  private readonly dRaw: number[];
  private readonly dCont: number[];
  private cache = new Map<string, Float32Array>();
  private readonly cacheSize: number;

  /** raw[m]: counts c(h w) for contexts h of length m = 0 .. order-1 */
  constructor(
    readonly cfg: NgramConfig,
    readonly vocabSize: number,
    private readonly raw: Table[],
  ) {
    for (let m = 0; m + 1 < cfg.order; m++) {
      const t: Table = new Map();
      // every distinct (m+2)-gram x h w adds one to N1+(· h w)
      for (const [k, r] of raw[m + 1]) {
        const space = k.indexOf(' ');
        const lower = space < 0 ? '' : k.slice(space + 1);
        for (const w of r.next.keys()) addTo(t, lower, w, 1);
      }
      this.cont.push(t);
    }
    const fixed = cfg.discount;
    this.dRaw = raw.map((t) => fixed ?? estimateDiscount(t));
    this.dCont = this.cont.map((t) => fixed ?? estimateDiscount(t));
    this.contextLength = Math.max(1, cfg.order - 1);
    this.cacheSize = Math.max(1024, Math.floor(2 ** 24 / vocabSize));
  }

  /** Counts every n-gram (n ≤ order) of the token stream `ids`. */
  static fit(ids: ArrayLike<number>, vocabSize: number, cfg: NgramConfig): NgramLM {
    const raw: Table[] = Array.from({ length: cfg.order }, () => new Map());
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabSize) throw new SeqnetError(`ngram: token id ${ids[i]} outside the vocabulary of ${vocabSize}`);
      for (let m = 0; m < cfg.order && m <= i; m++) addTo(raw[m], keyOf(ids, i - m, i), ids[i], 1);
    }
    return new NgramLM(cfg, vocabSize, raw);
  }

  /** the discounts D used at each context length (raw counts, continuation counts) */
  get discounts(): { raw: number[]; continuation: number[] } {
    return { raw: [...this.dRaw], continuation: [...this.dCont] };
  }

  /** P(· | context) over the vocabulary, from the last order-1 ids of `context`. */
  distribution(context: readonly number[]): Float64Array {
    const m = Math.min(context.length, this.cfg.order - 1);
    return this.dist(context, context.length - m, context.length);
  }

  /** P(w | context) */
  prob(context: readonly number[], w: number): number {
    return this.distribution(context)[w];
  }

  private dist(ids: ArrayLike<number>, from: number, to: number): Float64Array {
    const V = this.vocabSize;
    const m = to - from;
    if (this.cfg.smoothing === 'add_k') {
      const r = this.raw[m].get(keyOf(ids, from, to));
      const k = this.cfg.k;
      const denom = (r?.total ?? 0) + k * V;
      const p = new Float64Array(V).fill(k / denom);
      if (r) for (const [w, c] of r.next) p[w] = (c + k) / denom;
      return p;
    }
    // interpolate upwards from the uniform distribution: contexts of length 0, 1, …, m
    const p = new Float64Array(V).fill(1 / V);
    for (let j = 0; j <= m; j++) {
      const top = j === m;
      const r = (top ? this.raw[j] : this.cont[j]).get(keyOf(ids, to - j, to));
      if (!r) continue;
      const D = top ? this.dRaw[j] : this.dCont[j];
      const gamma = (D * r.next.size) / r.total;
      for (let w = 0; w < V; w++) p[w] *= gamma;
      for (const [w, c] of r.next) p[w] += Math.max(c - D, 0) / r.total;
    }
    return p;
  }

  /** log P(· | ids[from, to)), cached by context */
  private logDist(ids: ArrayLike<number>, from: number, to: number): Float32Array {
    const key = keyOf(ids, from, to);
    let out = this.cache.get(key);
    if (!out) {
      const p = this.dist(ids, from, to);
      out = Float32Array.from(p, Math.log);
      if (this.cache.size >= this.cacheSize) this.cache.clear();
      this.cache.set(key, out);
    }
    return out;
  }

  /** ids [B, T] int32 → log-probabilities of the next token [B, T, V] */
  apply(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor3D {
    const x = single(inputs);
    const [B, T] = x.shape as [number, number];
    const ids = x.dataSync();
    const V = this.vocabSize;
    const out = new Float32Array(B * T * V);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const m = Math.min(t + 1, this.cfg.order - 1);
        out.set(this.logDist(ids, b * T + t + 1 - m, b * T + t + 1), (b * T + t) * V);
      }
    }
    return tf.tensor3d(out, [B, T, V]);
  }

  /** distinct n-grams stored, all orders */
  countParams(): number {
    let n = 0;
    for (const t of this.raw) for (const r of t.values()) n += r.next.size;
    return n;
  }

  dispose(): void {
    this.cache.clear();
  }

  /** counts[m]: context key → [w, count, w, count, …] for contexts of length m */
  toJSON(): BaselineJSON {
    const counts = this.raw.map((t) => Object.fromEntries([...t].map(([k, r]) => [k, [...r.next].flat()])));
    return { type: 'ngram', vocab_size: this.vocabSize, order: this.cfg.order, counts };
  }

  static fromJSON(j: unknown, cfg: NgramConfig, source: string): NgramLM {
    const o = j as { type?: unknown; vocab_size?: unknown; order?: unknown; counts?: unknown };
    const bad = (why: string) => new RunError(`${source}: ${why}; the run directory is damaged or from another model.`);
    if (o?.type !== 'ngram') throw bad(`expected an ngram model, found type ${JSON.stringify(o?.type)}`);
    if (o.order !== cfg.order) throw bad(`order ${String(o.order)} does not match model.order ${cfg.order} in config.yaml`);
    if (typeof o.vocab_size !== 'number' || !Array.isArray(o.counts) || o.counts.length !== cfg.order) throw bad('vocab_size or counts missing');
    const raw: Table[] = (o.counts as Record<string, number[]>[]).map((obj) => {
      const t: Table = new Map();
      for (const [k, flat] of Object.entries(obj)) {
        if (!Array.isArray(flat) || flat.length % 2) throw bad(`counts for context "${k}" are not [id, count, …] pairs`);
        for (let i = 0; i < flat.length; i += 2) addTo(t, k, flat[i], flat[i + 1]);
      }
      return t;
    });
    return new NgramLM(cfg, o.vocab_size, raw);
  }
}

export const ngramFamily: FittedFamily<NgramConfig> = {
  fit(cfg, ctx) {
    if (!(ctx.train instanceof WindowSplit) || ctx.info.vocabSize === undefined) {
      throw new SeqnetError(`model type ngram models a token stream (task language_model), not task ${ctx.task}`, 2);
    }
    return NgramLM.fit(ctx.train.ids, ctx.info.vocabSize, cfg);
  },
  load: (json, cfg, source) => NgramLM.fromJSON(json, cfg, source),
};
