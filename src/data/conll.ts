/**
 * CoNLL-style tagging files: one `token<TAB>tag` per line (more columns allowed: the token is the
 * first, the tag the last), a blank line between sentences. Lines without a tab are split on
 * whitespace. `-DOCSTART-` lines are skipped.
 */
import { DataError } from '../util/errors.js';
import { readText } from './read.js';

export interface Sentence {
  tokens: string[];
  /** one per token; empty when read without tags */
  tags: string[];
  /** 1-based line of the first token */
  line: number;
}

/** Reads sentences; with `tags: false` a line may hold just the token (for `predict --file`). */
export function readConll(file: string, o: { tags?: boolean; what?: string } = {}): Sentence[] {
  const needTags = o.tags ?? true;
  const lines = readText(file, o.what).split(/\r?\n/);
  const out: Sentence[] = [];
  let cur: Sentence | undefined;
  lines.forEach((raw, i) => {
    const l = raw.trim();
    if (l === '') {
      cur = undefined;
      return;
    }
    if (l.startsWith('-DOCSTART-')) return;
    const cols = raw.includes('\t') ? raw.split('\t').map((c) => c.trim()) : l.split(/\s+/);
    if (needTags && (cols.length < 2 || cols[cols.length - 1] === '')) {
      throw new DataError(
        `${file}, line ${i + 1}: \`${l}\` has a token but no tag.\n` +
          'Each line needs `token<TAB>tag` (the tag in the last column), with a blank line between sentences.',
      );
    }
    if (cols[0] === '') {
      throw new DataError(
        `${file}, line ${i + 1}, column 1: the token is empty (the line starts with a tab).\n` +
          'Each line needs `token<TAB>tag`; remove the stray tab or the line.',
      );
    }
    if (!cur) out.push((cur = { tokens: [], tags: [], line: i + 1 }));
    cur.tokens.push(cols[0]);
    if (needTags) cur.tags.push(cols[cols.length - 1]);
  });
  if (out.length === 0) throw new DataError(`${file} holds no sentences.`);
  return out;
}
