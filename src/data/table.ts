/**
 * Tables: CSV / TSV (header row, via csv-parse) and JSON Lines (one object per line), read into
 * string cells with the file line of every row, so later errors can point at the line to fix.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { DataError } from '../util/errors.js';
import { textChunks } from './chunks.js';
import { readText } from './read.js';

export type TableFormat = 'csv' | 'tsv' | 'jsonl';

export interface Table {
  /** header names, in file order */
  columns: string[];
  /** one record per data row; every column is present (missing JSONL keys are '') */
  rows: Record<string, string>[];
  /** 1-based line of the file where row `i` starts */
  line(i: number): number;
}

/** Reads a table; non-UTF-8, empty, ragged and malformed files are DataErrors naming file and line. */
export function readTable(file: string, format: TableFormat, what = 'data file'): Table {
  const text = readText(file, what);
  return format === 'jsonl' ? parseJsonl(text, file) : parseDelimited(text, file, format === 'tsv' ? '\t' : ',');
}

/** The column named `name` of `t`, or a DataError listing the columns that do exist. */
export function column(t: Table, name: string, file: string, key: string): string[] {
  if (!t.columns.includes(name)) {
    throw new DataError(
      `${file}: column \`${name}\` (${key}) not found; the file has: ${t.columns.join(', ')}.\nSet ${key} to one of them.`,
    );
  }
  return t.rows.map((r) => r[name]);
}

/**
 * Streams a table: `onHeader` once with the column names, then `onRow` per data row with its
 * cells (in header order) and 1-based file line. CSV/TSV rows are never all held at once, so a
 * million-row file costs its text plus what the callbacks keep.
 */
export function scanTable(file: string, format: TableFormat, what: string, onHeader: (columns: string[]) => void, onRow: (cells: string[], line: number) => void): number {
  if (format === 'jsonl') {
    const t = readTable(file, format, what);
    onHeader(t.columns);
    t.rows.forEach((r, i) => onRow(t.columns.map((c) => r[c]), t.line(i)));
    return t.rows.length;
  }
  let n = -1;
  parseRecords(textChunks(file, what), file, format === 'tsv' ? '\t' : ',', (record, endLine) => {
    if (n++ < 0) {
      const columns = record.map((c) => c.trim());
      checkHeader(columns, file);
      onHeader(columns);
    } else onRow(record, startLine(record, endLine));
  });
  if (n < 0) throw new DataError(`${file} has no header row.`);
  if (n === 0) throw new DataError(`${file} has a header but no data rows.`);
  return n;
}

/** info.lines is the line where a record ends; quoted newlines move its start back */
const startLine = (record: string[], endLine: number) => endLine - record.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/** Texts of whole lines (~1 MiB each) that never end inside a line or a quoted field (an even number of quotes so far). */
function* batches(chunks: Iterable<string>): Generator<string> {
  let pending = '';
  let quotes = 0;
  for (const c of chunks) {
    pending += c;
    for (let i = c.indexOf('"'); i >= 0; i = c.indexOf('"', i + 1)) quotes++;
    if (quotes % 2 === 0 && pending.endsWith('\n')) {
      yield pending;
      pending = '';
    }
  }
  if (pending) yield pending;
}

/**
 * Parses delimited text batch by batch, record by record (csv-parse keeps none), so memory does
 * not grow with the file. Ragged rows and CSV errors become DataErrors naming the line.
 */
function parseRecords(chunks: Iterable<string>, file: string, delimiter: string, each: (record: string[], endLine: number) => void): void {
  const sep = delimiter === '\t' ? 'tab' : 'comma';
  let width: number | undefined;
  let offset = 0;
  for (const text of batches(chunks)) {
    try {
      parse(text, {
        delimiter,
        skip_empty_lines: true,
        relax_quotes: true,
        relax_column_count: true,
        on_record: (record: string[], ctx: { lines: number }) => {
          width ??= record.length;
          if (record.length !== width) {
            throw new DataError(
              `${file}, line ${offset + startLine(record, ctx.lines)}: the row has ${record.length} field(s) but the header has ${width}.\n` +
                `Every row needs one ${sep}-separated field per header column; quote fields that contain a ${sep}.`,
            );
          }
          each(record, offset + ctx.lines);
          return null;
        },
      });
    } catch (e) {
      if (e instanceof CsvError) {
        const { lines } = e as CsvError & { lines?: number };
        const at = `${file}${lines ? `, line ${offset + lines}` : ''}`;
        throw new DataError(`${at}: ${e.message.replace(/ (on|at) line \d+/, '')}\nCheck the quoting on that line.`);
      }
      throw e;
    }
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) offset++;
  }
}

function parseDelimited(text: string, file: string, delimiter: string): Table {
  const recs: string[][] = [];
  const starts: number[] = [];
  parseRecords([text], file, delimiter, (record, endLine) => {
    recs.push(record);
    starts.push(startLine(record, endLine));
  });
  if (recs.length === 0) throw new DataError(`${file} has no header row.`);
  const columns = recs[0].map((c) => c.trim());
  checkHeader(columns, file);
  const rows = recs.slice(1).map((r) => Object.fromEntries(columns.map((c, j) => [c, r[j]])));
  if (rows.length === 0) throw new DataError(`${file} has a header but no data rows.`);
  return { columns, rows, line: (i) => starts[i + 1] };
}

function checkHeader(columns: string[], file: string): void {
  const empty = columns.findIndex((c) => c === '');
  if (empty >= 0) throw new DataError(`${file}, line 1: header column ${empty + 1} has no name; every column needs a name.`);
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup !== undefined) throw new DataError(`${file}, line 1: column \`${dup}\` appears twice in the header; rename one.`);
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

function parseJsonl(text: string, file: string): Table {
  const columns: string[] = [];
  const seen = new Set<string>();
  const objs: Record<string, unknown>[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (l.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (e) {
      throw new DataError(`${file}, line ${i + 1}: not valid JSON (${e instanceof Error ? e.message : String(e)}).\nJSON Lines files hold one JSON object per line.`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      throw new DataError(`${file}, line ${i + 1}: expected a JSON object like {"text": "...", "label": "..."}, got ${Array.isArray(v) ? 'an array' : JSON.stringify(v)}.`);
    }
    for (const k of Object.keys(v)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
    objs.push(v as Record<string, unknown>);
    lines.push(i + 1);
  });
  if (objs.length === 0) throw new DataError(`${file} has no JSON objects.`);
  const rows = objs.map((o) => Object.fromEntries(columns.map((c) => [c, cell(o[c])])));
  return { columns, rows, line: (i) => lines[i] };
}
