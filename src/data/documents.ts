/**
 * Documents in a language-model corpus (`data.documents`): each is fed as <bos> text <eos>, so a
 * model learns where documents end and `generate` can stop there.
 */
import type { DataConfig } from '../config/schema/index.js';
import { BOS, EOS } from './tokenizers/types.js';

/** Splits text into documents: non-empty lines, or paragraphs between blank lines. */
export function splitDocuments(text: string, mode: Exclude<DataConfig['documents'], 'none'>): string[] {
  const parts = mode === 'lines' ? text.split(/\r?\n/) : text.split(/(?:\r?\n[ \t]*){2,}/);
  return parts.map((p) => p.replace(/^\s*\n|\s+$/g, '')).filter((p) => p.trim() !== '');
}

/** The id stream <bos> d1 <eos> <bos> d2 <eos> … of encoded documents. */
export function documentStream(encoded: readonly (readonly number[])[]): Int32Array {
  const out = new Int32Array(encoded.reduce((n, d) => n + d.length + 2, 0));
  let o = 0;
  for (const d of encoded) {
    out[o++] = BOS;
    out.set(d, o);
    o += d.length;
    out[o++] = EOS;
  }
  return out;
}
