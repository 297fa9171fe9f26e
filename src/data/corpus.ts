/**
 * A language-model corpus in bounded memory (data.documents: none). Files are read as bytes in
 * chunks three times (count, fit the vocabulary, encode), never held as one string; token ids go
 * into one typed array of the smallest type that fits the vocabulary, and the train / valid /
 * test splits are views of it (no copies). Split points are the same as carving the joined text
 * by UTF-16 code units, as the in-memory path does.
 */
import type { DataConfig, TokenizerConfig } from '../config/schema/index.js';
import { lineStartBefore, textChunks } from './chunks.js';
import { carve } from './split.js';
import { fitTokenizer, SPECIAL_TOKENS, UNK, type Tokenizer } from './tokenizers/index.js';

/** Token ids of a split: one byte each for vocabularies up to 256, two up to 65,536. */
export type TokenIds = Uint8Array | Uint16Array | Int32Array;

export function idArray(n: number, vocabSize: number): TokenIds {
  return vocabSize <= 256 ? new Uint8Array(n) : vocabSize <= 65536 ? new Uint16Array(n) : new Int32Array(n);
}

/** Progress of reading the corpus: pass 1 counts, 2 fits the vocabulary, 3 encodes. */
export interface CorpusProgress {
  pass: 'count' | 'vocabulary' | 'encode';
  bytes: number;
  totalBytes: number;
}

/** The files as one text, joined by '\n', in chunks. */
function* joined(files: string[], what: string, pass: CorpusProgress['pass'], onProgress?: (p: CorpusProgress) => void): Generator<string> {
  let before = 0;
  for (let i = 0; i < files.length; i++) {
    if (i > 0) yield '\n';
    let last = 0;
    yield* textChunks(files[i], what, (bytes, total) => {
      last = total;
      onProgress?.({ pass, bytes: before + bytes, totalBytes: before + total });
    });
    before += last;
  }
}

/**
 * A char tokenizer's encode as a table lookup, for corpora of hundreds of megabytes: the same ids
 * as `tok.encode` (one per code point, <unk> for the rest) written straight into the id buffer.
 */
export function charEncoder(tok: Tokenizer, lowercase: boolean): (text: string, out: IdBuffer) => void {
  const bmp = new Int32Array(65536).fill(UNK);
  const astral = new Map<number, number>();
  tok.vocab.forEach((t, id) => {
    if (id < SPECIAL_TOKENS.length) return;
    const cp = t.codePointAt(0)!;
    if (cp < 65536 && t.length === 1) bmp[cp] = id;
    else if (t.length === 2 && cp >= 65536) astral.set(cp, id);
  });
  return (text, out) => {
    const s = lowercase ? text.toLowerCase() : text;
    out.reserve(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        const cp = s.codePointAt(i)!;
        if (cp >= 65536) {
          out.add(astral.get(cp) ?? UNK);
          i++;
          continue;
        }
      }
      out.add(bmp[c]);
    }
  };
}

/** A growable id buffer; `view()` trims to what was written (copying only if much was spare). */
export class IdBuffer {
  private ids: TokenIds;
  length = 0;
  constructor(capacity: number, private readonly vocabSize: number) {
    this.ids = idArray(Math.max(16, capacity), vocabSize);
  }
  /** room for `n` more ids */
  reserve(n: number): void {
    if (this.length + n <= this.ids.length) return;
    const grown = idArray(Math.ceil((this.length + n) * 1.5), this.vocabSize);
    grown.set(this.ids.subarray(0, this.length));
    this.ids = grown;
  }
  /** appends one id (after reserve) */
  add(id: number): void {
    this.ids[this.length++] = id;
  }
  push(chunk: readonly number[]): void {
    this.reserve(chunk.length);
    this.ids.set(chunk, this.length);
    this.length += chunk.length;
  }
  view(): TokenIds {
    return this.length < this.ids.length * 0.75 ? this.ids.slice(0, this.length) : this.ids.subarray(0, this.length);
  }
}

export interface Corpus {
  tok: Tokenizer;
  /** views of one id array; valid/test undefined when their fraction is 0 */
  train: TokenIds;
  valid?: TokenIds;
  test?: TokenIds;
  /** distinct pieces the vocabulary lacks, per split (they became <unk>) */
  unknown: { train: Set<string>; valid: Set<string>; test: Set<string> };
  /** code units of the joined text (what valid/test fractions are taken of) */
  units: number;
}

/**
 * The distinct characters (code points) of `texts`, as texts a char tokenizer fits the same
 * vocabulary on (lone surrogates kept apart, so two of them never read as one pair).
 */
function distinctChars(texts: Iterable<[number, string]>, lowercase: boolean): string[] {
  const seen = new Uint8Array(65536);
  const astral = new Set<string>();
  for (const [, t] of texts) {
    const s = lowercase ? t.toLowerCase() : t;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && s.codePointAt(i)! >= 65536) {
        astral.add(String.fromCodePoint(s.codePointAt(i)!));
        i++;
      } else seen[c] = 1;
    }
  }
  const out: string[] = [''];
  for (let c = 0; c < 65536; c++) {
    if (!seen[c]) continue;
    if (c >= 0xd800 && c < 0xe000) out.push(String.fromCharCode(c));
    else out[0] += String.fromCharCode(c);
  }
  return [...out, ...astral];
}

/** Encoding pieces of at most this many code units keeps the temporary number[] small. */
const ENCODE_UNITS = 1 << 18;

/**
 * Reads, tokenizes and splits `files`. `tok` is the run's tokenizer when there is one; otherwise
 * one is fitted on the train split (a char vocabulary from its distinct characters only).
 */
export function readCorpus(
  files: string[],
  d: Pick<DataConfig, 'valid' | 'test'> & { tokenizer: TokenizerConfig },
  what: string,
  tok?: Tokenizer,
  onProgress?: (p: CorpusProgress) => void,
): Corpus {
  let units = 0;
  for (const s of joined(files, 'training file', 'count', onProgress)) units += s.length;
  const vFrac = typeof d.valid === 'number' ? d.valid : 0;
  const tFrac = typeof d.test === 'number' ? d.test : 0;
  const r = carve(units, vFrac, tFrac, what);
  const ends = [r.train[1], r.valid[1], r.test[1]];

  /** the text cut at the split ends: (split index, piece) */
  function* pieces(pass: CorpusProgress['pass'], upTo: number): Generator<[number, string]> {
    let at = 0;
    let split = 0;
    for (const s of joined(files, 'training file', pass, onProgress)) {
      for (let o = 0; o < s.length && split < upTo; ) {
        let end = Math.min(s.length, o + ENCODE_UNITS, ends[split] - at + o);
        // a piece ends where the text or a split does, or at a line start (no word is cut in two)
        if (end === o + ENCODE_UNITS && end < s.length) {
          const cut = lineStartBefore(s, o + 1, end);
          if (cut > o) end = cut;
        }
        yield [split, s.slice(o, end)];
        at += end - o;
        o = end;
        while (split < 3 && at >= ends[split]) split++;
      }
      if (split >= upTo) return;
    }
  }

  const fitted = !tok;
  if (!tok) {
    if (d.tokenizer.type === 'char') {
      // a char vocabulary depends only on which characters occur
      tok = fitTokenizer(distinctChars(pieces('vocabulary', 1), d.tokenizer.lowercase), d.tokenizer);
    } else {
      // word and BPE vocabularies need counts: fitted on the train text (held as pieces)
      const texts: string[] = [];
      for (const [, p] of pieces('vocabulary', 1)) texts.push(p);
      tok = fitTokenizer([texts.join('')], d.tokenizer);
    }
  }
  const ids = new IdBuffer(units, tok.vocabSize);
  const starts = [0, 0, 0, 0];
  const unknown = { train: new Set<string>(), valid: new Set<string>(), test: new Set<string>() };
  const names = ['train', 'valid', 'test'] as const;
  let cur = 0;
  // a char vocabulary fitted here covers every character of the train split by construction
  const checkTrain = !(fitted && d.tokenizer.type === 'char');
  const fast = tok.type === 'char' ? charEncoder(tok, Boolean(tok.toJSON().lowercase)) : undefined;
  for (const [split, p] of pieces('encode', 3)) {
    while (cur < split) starts[++cur] = ids.length;
    if (split > 0 || checkTrain) for (const u of tok.unknownPieces(p)) unknown[names[split]].add(u);
    if (fast) fast(p, ids);
    else ids.push(tok.encode(p));
  }
  while (cur < 3) starts[++cur] = ids.length;
  const all = ids.view();
  const view = (k: number) => all.subarray(starts[k], starts[k + 1]);
  return {
    tok,
    train: view(0),
    valid: vFrac > 0 ? view(1) : undefined,
    test: tFrac > 0 ? view(2) : undefined,
    unknown,
    units,
  };
}
