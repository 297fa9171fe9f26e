/**
 * Pretrained word vectors in the common whitespace text format (GloVe, fastText / word2vec text):
 * one `word f1 f2 … fd` per line, with an optional `count dim` header line. Only the rows of
 * vocabulary tokens are kept, so a large file costs one pass and little memory.
 */
import { readText } from '../data/read.js';
import { SPECIAL_TOKENS } from '../data/tokenizers/types.js';
import { DataError } from '../util/errors.js';

export interface Vectors {
  /** token id → its vector (length `dim`) */
  rows: Map<number, Float32Array>;
  /** vocabulary tokens (specials excluded) with and without a vector */
  covered: number;
  total: number;
  /** a few tokens without a vector, for the coverage message */
  missing: string[];
}

/**
 * Reads `file` for the tokens of `vocab` (id order). A token matches a word of the file exactly,
 * or failing that case-insensitively. Throws a DataError naming the file and line when the
 * vectors' dimension is not `dim` or a line is malformed.
 */
export function readVectors(file: string, vocab: readonly string[], dim: number): Vectors {
  const text = readText(file, 'model.embeddings.path');
  const exact = new Map<string, number>();
  const lower = new Map<string, number>();
  vocab.forEach((tok, id) => {
    if (id < SPECIAL_TOKENS.length) return;
    exact.set(tok, id);
    if (!lower.has(tok.toLowerCase())) lower.set(tok.toLowerCase(), id);
  });
  const rows = new Map<number, Float32Array>();
  const byExact = new Set<number>();
  const mismatch = (line: number, got: number) =>
    new DataError(
      `${file}, line ${line}: the vectors have ${got} dimensions but model.embedding_dim is ${dim}.\n` +
        `Set model.embedding_dim: ${got} to use this file, or use vectors of dimension ${dim}.`,
    );

  const lines = text.split(/\r?\n/);
  let seen = false;
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i].trim().split(/\s+/);
    if (parts.length === 1 && parts[0] === '') continue;
    if (i === 0 && parts.length === 2 && /^\d+$/.test(parts[0]) && /^\d+$/.test(parts[1])) {
      if (Number(parts[1]) !== dim) throw mismatch(1, Number(parts[1]));
      continue; // word2vec header: count dim
    }
    if (!seen) {
      // the first vector line fixes the dimension
      if (parts.length - 1 !== dim) throw mismatch(i + 1, parts.length - 1);
      seen = true;
    } else if (parts.length - 1 < dim) {
      throw new DataError(`${file}, line ${i + 1}: expected a word and ${dim} numbers, found ${parts.length - 1} value(s) after the first field.`);
    }
    // words may contain spaces in some files: the last `dim` fields are the numbers
    const word = parts.slice(0, parts.length - dim).join(' ');
    const id = exact.get(word);
    const idLower = id === undefined ? lower.get(word.toLowerCase()) : undefined;
    const target = id ?? idLower;
    if (target === undefined || byExact.has(target) || (id === undefined && rows.has(target))) continue;
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) {
      const x = Number(parts[parts.length - dim + j]);
      if (!Number.isFinite(x)) {
        throw new DataError(`${file}, line ${i + 1}: \`${parts[parts.length - dim + j]}\` is not a number (value ${j + 1} of the vector for \`${word}\`).`);
      }
      v[j] = x;
    }
    rows.set(target, v);
    if (id !== undefined) byExact.add(id);
  }
  const missing: string[] = [];
  for (let id = SPECIAL_TOKENS.length; id < vocab.length && missing.length < 8; id++) if (!rows.has(id)) missing.push(vocab[id]);
  return { rows, covered: rows.size, total: Math.max(0, vocab.length - SPECIAL_TOKENS.length), missing };
}
