/**
 * Byte-level byte-pair encoding. Text is cut into chunks (a word with its leading space, a run of
 * digits, punctuation, whitespace — GPT-2's rule, which loses nothing), each chunk is UTF-8 bytes,
 * and learnt merges join adjacent pairs. Every byte has an id, so any text encodes without <unk>
 * and decodes back exactly.
 *
 * Ids: 0-3 specials, 4..259 bytes 0..255, 260+k the k-th merge.
 * Training (on the training split only): repeatedly merge the most frequent adjacent pair, counted
 * over all chunks; ties go to the pair with the smaller (left, right) ids, so merges are deterministic.
 * Pairs seen only once are not merged.
 */
import type { TokenizerConfig } from '../../config/schema/index.js';
import { SPECIAL_TOKENS, type Tokenizer, type TokenizerJSON } from './types.js';

type BpeConfig = Extract<TokenizerConfig, { type: 'bpe' }>;

const CHUNK = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const BYTE0 = SPECIAL_TOKENS.length;
const FIRST_MERGE = BYTE0 + 256;
const utf8 = new TextEncoder();
const lenient = new TextDecoder('utf-8', { fatal: false });
const key = (a: number, b: number) => a * 1048576 + b;

export function chunks(text: string): string[] {
  return text.match(CHUNK) ?? [];
}

const bytesOf = (s: string): number[] => Array.from(utf8.encode(s), (b) => b + BYTE0);

/** Replaces every (a, b) in `ids` by `id`, left to right. */
function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(ids[i]);
  }
  return out;
}

export class BpeTokenizer implements Tokenizer {
  readonly type = 'bpe';
  readonly vocab: readonly string[];
  /** bytes of every id (specials: none) */
  private readonly bytes: Uint8Array[];
  private readonly rank = new Map<number, number>();
  private readonly cache = new Map<string, number[]>();

  constructor(readonly merges: readonly (readonly [number, number])[]) {
    this.bytes = [...SPECIAL_TOKENS.map(() => new Uint8Array(0)), ...Array.from({ length: 256 }, (_, b) => Uint8Array.of(b))];
    merges.forEach(([a, b], k) => {
      const joined = new Uint8Array(this.bytes[a].length + this.bytes[b].length);
      joined.set(this.bytes[a]);
      joined.set(this.bytes[b], this.bytes[a].length);
      this.bytes.push(joined);
      this.rank.set(key(a, b), k);
    });
    this.vocab = this.bytes.map((bs, id) =>
      id < BYTE0 ? SPECIAL_TOKENS[id] : bs.length === 1 && (bs[0] < 32 || bs[0] > 126) ? `<0x${bs[0].toString(16).padStart(2, '0').toUpperCase()}>` : lenient.decode(bs),
    );
  }

  static fit(texts: readonly string[], cfg: BpeConfig): BpeTokenizer {
    const counts = new Map<string, number>();
    for (const t of texts) for (const c of chunks(t)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const words = [...counts.keys()].sort().map((c) => ({ ids: bytesOf(c), n: counts.get(c)! }));
    const merges: [number, number][] = [];
    while (FIRST_MERGE + merges.length < cfg.vocab_size) {
      const pairs = new Map<number, number>();
      for (const w of words) for (let i = 0; i + 1 < w.ids.length; i++) {
        const k = key(w.ids[i], w.ids[i + 1]);
        pairs.set(k, (pairs.get(k) ?? 0) + w.n);
      }
      let best = -1;
      let bestN = 1;
      for (const [k, n] of pairs) if (n > bestN || (n === bestN && n > 1 && k < best)) [best, bestN] = [k, n];
      if (best < 0) break;
      const a = Math.floor(best / 1048576);
      const b = best % 1048576;
      const id = FIRST_MERGE + merges.length;
      merges.push([a, b]);
      for (const w of words) if (w.ids.length > 1) w.ids = mergePair(w.ids, a, b, id);
    }
    return new BpeTokenizer(merges);
  }

  static fromJSON(j: TokenizerJSON): BpeTokenizer {
    return new BpeTokenizer((j.merges as [number, number][]) ?? []);
  }

  get vocabSize(): number {
    return this.bytes.length;
  }

  /** one chunk: start from bytes, apply the lowest-ranked (earliest learnt) merge until none applies */
  private encodeChunk(c: string): number[] {
    const hit = this.cache.get(c);
    if (hit) return hit;
    let ids = bytesOf(c);
    for (;;) {
      let best = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.rank.get(key(ids[i], ids[i + 1]));
        if (r !== undefined && (best < 0 || r < best)) best = r;
      }
      if (best < 0) break;
      const [a, b] = this.merges[best];
      ids = mergePair(ids, a, b, FIRST_MERGE + best);
    }
    if (this.cache.size < 100_000) this.cache.set(c, ids);
    return ids;
  }

  encode(text: string): number[] {
    return chunks(text).flatMap((c) => this.encodeChunk(c));
  }

  decode(ids: readonly number[]): string {
    const parts = ids.filter((id) => id >= BYTE0 && id < this.bytes.length).map((id) => this.bytes[id]);
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return lenient.decode(all);
  }

  /** every text is covered by the byte ids */
  unknownPieces(): string[] {
    return [];
  }

  toJSON(): TokenizerJSON {
    return { type: this.type, vocab: [...this.vocab], merges: this.merges.map(([a, b]) => [a, b]) };
  }
}
