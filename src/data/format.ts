/** Which reader a data file needs: `data.format`, or the file extension when that is null. */
import path from 'node:path';
import type { DataConfig } from '../config/schema/index.js';
import { DataError } from '../util/errors.js';

export type DataFormat = NonNullable<DataConfig['format']>;

const BY_EXTENSION: Record<string, DataFormat> = {
  '.txt': 'text',
  '.text': 'text',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.conll': 'conll',
  '.conllu': 'conll',
  '.iob': 'conll',
  '.bio': 'conll',
};

/** The format of `file`; a DataError when it cannot be inferred or the task cannot read it. */
export function formatOf(file: string, format: DataConfig['format'], allowed: readonly DataFormat[], task: string): DataFormat {
  const ext = path.extname(file).toLowerCase();
  const f = format ?? BY_EXTENSION[ext];
  if (!f) {
    throw new DataError(
      `${file}: cannot tell the format from the extension \`${ext || '(none)'}\`; set data.format to one of ${allowed.join(' | ')}.`,
    );
  }
  if (!allowed.includes(f)) {
    throw new DataError(`${file}: ${task} reads ${allowed.join(' | ')} files, not ${f}${format ? ' (data.format)' : ` (from the extension ${ext})`}.`);
  }
  return f;
}
