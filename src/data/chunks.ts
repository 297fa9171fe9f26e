/**
 * Reading big text files in bounded memory: bytes in chunks of 1 MiB, decoded as UTF-8 (a BOM is
 * dropped; invalid UTF-8 and NUL bytes are DataErrors with the line and byte offset), handed out
 * as strings of about a chunk that end at a line start, so no word is cut in two.
 */
import fs from 'node:fs';
import { DataError } from '../util/errors.js';

export const CHUNK_BYTES = 1 << 20;

/** The last index in (from, to] just after a '\n' that starts a line with a non-space character, else -1. */
export function lineStartBefore(s: string, from: number, to: number): number {
  for (let i = s.lastIndexOf('\n', to - 1); i >= from; i = s.lastIndexOf('\n', i - 1)) {
    if (i + 1 < s.length && !/\s/.test(s[i + 1])) return i + 1;
    if (i === 0) break;
  }
  return -1;
}

/** Checks the path names a readable file. */
export function checkFile(file: string, what: string): number {
  if (!fs.existsSync(file)) throw new DataError(`${what} not found: ${file}\nCheck the path (relative paths are resolved against the config file's folder).`);
  const st = fs.statSync(file);
  if (st.isDirectory()) throw new DataError(`${what} ${file} is a directory; name a file.`);
  return st.size;
}

/** Line (1-based) and column (1-based, in bytes) of byte `offset`, found by reading the file up to it in chunks. */
function position(file: string, offset: number): { line: number; col: number } {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = fs.openSync(file, 'r');
  let line = 1;
  let lineStart = 0;
  try {
    for (let pos = 0; pos < offset; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, offset - pos), pos);
      if (n <= 0) break;
      for (let i = buf.indexOf(10, 0); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) {
        line++;
        lineStart = pos + i + 1;
      }
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { line, col: offset - lineStart + 1 };
}

/**
 * Scans UTF-8 bytes: `bad` is the offset of the first invalid sequence (-1 if none), `complete`
 * where an unfinished sequence at the end begins (b.length if none).
 */
export function scanUtf8(b: Uint8Array): { bad: number; complete: number } {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 1 : c >> 5 === 6 && c >= 0xc2 ? 2 : c >> 4 === 14 ? 3 : c >> 3 === 30 && c <= 0xf4 ? 4 : 0;
    if (n === 0) return { bad: i, complete: i };
    for (let k = 1; k < n; k++) {
      if (i + k >= b.length) return { bad: -1, complete: i };
      if (b[i + k] >> 6 !== 2) return { bad: i, complete: i };
    }
    i += n;
  }
  return { bad: -1, complete: b.length };
}

function invalidUtf8(file: string, what: string, offset: number): DataError {
  const p = position(file, offset);
  return new DataError(
    `${what} ${file} is not valid UTF-8 (first bad byte at line ${p.line}, column ${p.col}, byte offset ${offset}).\n` +
      'Convert it to UTF-8, e.g. `iconv -f latin1 -t utf-8`.',
  );
}

/**
 * The text of `file` as strings of about CHUNK_BYTES, each ending at a line start (or, for a line
 * longer than a chunk, at a space or anywhere). `onBytes` hears how many bytes were read so far.
 */
export function* textChunks(file: string, what: string, onBytes?: (bytes: number, total: number) => void): Generator<string> {
  const total = checkFile(file, what);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = fs.openSync(file, 'r');
  let pos = 0;
  let carry = '';
  let content = false;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      const bytes = buf.subarray(0, n);
      const nul = bytes.indexOf(0);
      if (nul >= 0) {
        const p = position(file, pos + nul);
        throw new DataError(`${what} ${file} looks binary: a NUL byte at line ${p.line}, column ${p.col} (byte offset ${pos + nul}).\nGive a UTF-8 text file.`);
      }
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: n > 0 });
      } catch {
        throw invalidUtf8(file, what, scanInvalid(file));
      }
      pos += n;
      onBytes?.(pos, total);
      let s = carry + text;
      if (!content && /\S/.test(s)) content = true;
      if (n === 0) {
        if (s) yield s;
        break;
      }
      if (s.length < CHUNK_BYTES) {
        carry = s;
        continue;
      }
      let cut = lineStartBefore(s, 0, s.length - 1);
      // else after any newline (a CSV batch must end at a line end), else at a space, else anywhere
      if (cut < 0) cut = s.lastIndexOf('\n', s.length - 2) + 1 || s.lastIndexOf(' ') + 1 || s.length;
      // never cut a surrogate pair
      if (cut < s.length && /[\uD800-\uDBFF]/.test(s[cut - 1])) cut--;
      carry = s.slice(cut);
      s = s.slice(0, cut);
      yield s;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (!content) throw new DataError(`${what} ${file} is empty.`);
}

/** Offset of the first invalid UTF-8 byte of `file` (read again in chunks). */
function scanInvalid(file: string): number {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = fs.openSync(file, 'r');
  try {
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      const { bad, complete } = scanUtf8(buf.subarray(0, n));
      if (bad >= 0) return pos + bad;
      // an unfinished sequence is read again at the start of the next chunk; at the end of the file it is the error
      if (n < buf.length) return pos + complete;
      pos += complete;
    }
  } finally {
    fs.closeSync(fd);
  }
}
