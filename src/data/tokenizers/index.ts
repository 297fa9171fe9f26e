/** Tokenizer registry keyed by `type`: fit on training text, or reload from a run directory. */
import type { TokenizerConfig } from '../../config/schema/index.js';
import { RunError } from '../../util/errors.js';
import { BpeTokenizer } from './bpe.js';
import { CharTokenizer } from './char.js';
import { WordTokenizer } from './word.js';
import type { Tokenizer, TokenizerJSON } from './types.js';

export * from './types.js';
export { BpeTokenizer } from './bpe.js';
export { CharTokenizer } from './char.js';
export { WordTokenizer, splitWords } from './word.js';

type Entry<K extends TokenizerConfig['type']> = {
  fit(texts: readonly string[], cfg: Extract<TokenizerConfig, { type: K }>): Tokenizer;
  fromJSON(j: TokenizerJSON): Tokenizer;
};

const REGISTRY: { [K in TokenizerConfig['type']]: Entry<K> } = {
  char: { fit: (t, c) => CharTokenizer.fit(t, c), fromJSON: (j) => CharTokenizer.fromJSON(j) },
  word: { fit: (t, c) => WordTokenizer.fit(t, c), fromJSON: (j) => WordTokenizer.fromJSON(j) },
  bpe: { fit: (t, c) => BpeTokenizer.fit(t, c), fromJSON: (j) => BpeTokenizer.fromJSON(j) },
};

export function fitTokenizer(texts: readonly string[], cfg: TokenizerConfig): Tokenizer {
  return (REGISTRY[cfg.type] as Entry<typeof cfg.type>).fit(texts, cfg as never);
}

export function loadTokenizer(j: TokenizerJSON, source: string): Tokenizer {
  // own keys only: a hostile `type` such as "constructor" must not reach Object.prototype
  const e = j && typeof j.type === 'string' && Object.hasOwn(REGISTRY, j.type) ? REGISTRY[j.type as TokenizerConfig['type']] : undefined;
  if (!e) throw new RunError(`${source}: unknown tokenizer type \`${String(j?.type)}\` (known: ${Object.keys(REGISTRY).join(', ')})`);
  if (!Array.isArray(j.vocab) || !j.vocab.every((t) => typeof t === 'string')) throw new RunError(`${source}: \`vocab\` must be a list of strings; the file is damaged.`);
  return e.fromJSON(j);
}
