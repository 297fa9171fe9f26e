/**
 * One token per word or punctuation mark. Words are runs of letters/digits (with inner apostrophes,
 * so "don't" stays one word); every other non-space character is a token of its own. The vocabulary
 * holds the training split's words seen at least `min_freq` times, most frequent first (ties in
 * code-point order), cut to `vocab_size` ids. Decoding joins words with spaces, so it is lossy.
 */
import type { TokenizerConfig } from '../../config/schema/index.js';
import { SPECIAL_TOKENS, UNK, type Tokenizer, type TokenizerJSON } from './types.js';

type WordConfig = Extract<TokenizerConfig, { type: 'word' }>;

const WORD = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]/gu;

/** Splits text into words and punctuation marks (case kept). */
export function splitWords(text: string): string[] {
  return text.match(WORD) ?? [];
}

export class WordTokenizer implements Tokenizer {
  readonly type = 'word';
  readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(
    vocab: readonly string[],
    readonly lowercase: boolean,
  ) {
    this.vocab = vocab;
    this.ids = new Map(vocab.map((t, i) => [t, i]));
  }

  static fit(texts: readonly string[], cfg: WordConfig): WordTokenizer {
    return WordTokenizer.fitTokens(
      texts.map((t) => splitWords(t)),
      cfg,
    );
  }

  /** Builds the vocabulary from pre-split tokens (e.g. the first column of a CoNLL file). */
  static fitTokens(sentences: readonly (readonly string[])[], cfg: WordConfig): WordTokenizer {
    const counts = new Map<string, number>();
    for (const s of sentences) for (const w of s) {
      const k = cfg.lowercase ? w.toLowerCase() : w;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const kept = [...counts]
      .filter(([, n]) => n >= cfg.min_freq)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([w]) => w);
    const max = cfg.vocab_size === null ? kept.length : Math.max(0, cfg.vocab_size - SPECIAL_TOKENS.length);
    return new WordTokenizer([...SPECIAL_TOKENS, ...kept.slice(0, max)], cfg.lowercase);
  }

  static fromJSON(j: TokenizerJSON): WordTokenizer {
    return new WordTokenizer(j.vocab, Boolean(j.lowercase));
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  private key(w: string): string {
    return this.lowercase ? w.toLowerCase() : w;
  }

  /** one id per given token, without further splitting (tagging keeps tokens aligned with tags) */
  encodeTokens(tokens: readonly string[]): number[] {
    return tokens.map((w) => this.ids.get(this.key(w)) ?? UNK);
  }

  encode(text: string): number[] {
    return this.encodeTokens(splitWords(text));
  }

  decode(ids: readonly number[]): string {
    return ids
      .filter((id) => id >= SPECIAL_TOKENS.length && id < this.vocab.length)
      .map((id) => this.vocab[id])
      .join(' ');
  }

  unknownPieces(text: string): string[] {
    return [...new Set(splitWords(text).map((w) => this.key(w)))].filter((w) => !this.ids.has(w));
  }

  toJSON(): TokenizerJSON {
    return { type: this.type, vocab: [...this.vocab], lowercase: this.lowercase };
  }
}
