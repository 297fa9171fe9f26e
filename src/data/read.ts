/** Reading input files with errors that name the file and say what would fix it. */
import { textChunks } from './chunks.js';

/**
 * Reads a UTF-8 text file whole (read and checked in chunks); missing, empty, directory, binary
 * and non-UTF-8 files are DataErrors naming the line and byte offset.
 */
export function readText(file: string, what = 'data file'): string {
  return [...textChunks(file, what)].join('');
}
