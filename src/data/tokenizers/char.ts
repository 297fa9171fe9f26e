/** One token per character (by code point), vocabulary = characters of the training split. */
import type { TokenizerConfig } from '../../config/schema/index.js';
import { SPECIAL_TOKENS, UNK, type Tokenizer, type TokenizerJSON } from './types.js';

type CharConfig = Extract<TokenizerConfig, { type: 'char' }>;

export class CharTokenizer implements Tokenizer {
  readonly type = 'char';
  readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;
  private readonly lowercase: boolean;

  constructor(vocab: readonly string[], lowercase: boolean) {
    this.vocab = vocab;
    this.lowercase = lowercase;
    this.ids = new Map(vocab.map((t, i) => [t, i]));
  }

  /** Builds the vocabulary from training texts: specials, then characters in code-point order. */
  static fit(texts: readonly string[], cfg: CharConfig): CharTokenizer {
    const chars = new Set<string>();
    for (const t of texts) for (const ch of cfg.lowercase ? t.toLowerCase() : t) chars.add(ch);
    const sorted = [...chars].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer([...SPECIAL_TOKENS, ...sorted], cfg.lowercase);
  }

  static fromJSON(j: TokenizerJSON): CharTokenizer {
    return new CharTokenizer(j.vocab, Boolean(j.lowercase));
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const ch of this.lowercase ? text.toLowerCase() : text) out.push(this.ids.get(ch) ?? UNK);
    return out;
  }

  decode(ids: readonly number[]): string {
    let s = '';
    for (const id of ids) if (id >= SPECIAL_TOKENS.length && id < this.vocab.length) s += this.vocab[id];
    return s;
  }

  unknownPieces(text: string): string[] {
    const out = new Set<string>();
    for (const ch of this.lowercase ? text.toLowerCase() : text) if (!this.ids.has(ch)) out.add(ch);
    return [...out];
  }

  toJSON(): TokenizerJSON {
    return { type: this.type, vocab: [...this.vocab], lowercase: this.lowercase };
  }
}
