/** Reading input files with errors that name the file and say what would fix it. */
import fs from 'node:fs';
import { DataError } from '../util/errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads a UTF-8 text file; missing, empty, directory and non-UTF-8 files are DataErrors. */
export function readText(file: string, what = 'data file'): string {
  if (!fs.existsSync(file)) throw new DataError(`${what} not found: ${file}\nCheck the path (relative paths are resolved against the config file's folder).`);
  const st = fs.statSync(file);
  if (st.isDirectory()) throw new DataError(`${what} ${file} is a directory; name a file.`);
  const bytes = fs.readFileSync(file);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new DataError(
      `${what} ${file} is not valid UTF-8 (first bad byte at line ${bad.line}, byte offset ${bad.offset}).\n` +
        'Convert it to UTF-8, e.g. `iconv -f latin1 -t utf-8`.',
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) throw new DataError(`${what} ${file} is empty.`);
  return text;
}

function firstInvalidUtf8(bytes: Uint8Array): { offset: number; line: number } {
  let line = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >> 5 === 6 ? 2 : b >> 4 === 14 ? 3 : b >> 3 === 30 ? 4 : 0;
    let ok = n > 0 && i + n <= bytes.length;
    for (let k = 1; ok && k < n; k++) ok = bytes[i + k] >> 6 === 2;
    if (!ok) return { offset: i, line };
    if (b === 10) line++;
    i += n;
  }
  return { offset: bytes.length, line };
}
