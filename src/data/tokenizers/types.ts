/** The tokenizer contract: text ↔ ids, with fixed special-token ids, saved as JSON in the run. */

export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;
export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;

export interface Tokenizer {
  readonly type: string;
  /** number of ids, specials included */
  readonly vocabSize: number;
  /** id → token string (specials first) */
  readonly vocab: readonly string[];
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** distinct pieces of `text` that map to <unk> */
  unknownPieces(text: string): string[];
  /** JSON form; `loadTokenizer` in tokenizers/index.ts reverses it */
  toJSON(): TokenizerJSON;
}

export interface TokenizerJSON {
  type: string;
  vocab: string[];
  [extra: string]: unknown;
}
