/**
 * Multivariate time series for forecasting: numeric columns of a CSV/TSV/JSONL table, one row per
 * time step in file order. Missing or non-numeric cells are reported (count and first lines) and
 * handled by `data.missing`.
 */
import type { DataConfig } from '../config/schema/index.js';
import { DataError } from '../util/errors.js';
import { formatOf } from './format.js';
import { scanTable, type TableFormat } from './table.js';

export interface Series {
  file: string;
  /** the columns read: the features, then targets that are not features */
  columns: string[];
  features: string[];
  targets: string[];
  /** one row of `columns` values per time step */
  rows: Float64Array[];
  /** file line of each row */
  lines: number[];
  /** the date column's cells, when there is one */
  dates?: string[];
}

type SeriesConfig = Pick<DataConfig, 'format' | 'features' | 'targets' | 'date_column' | 'missing'>;

const MISSING = new Set(['', 'na', 'nan', 'n/a', 'null', 'none', '?', '-']);

/** Index of column `name` in `header`, or a DataError listing the columns that do exist. */
function columnIndex(header: string[], name: string, file: string, key: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new DataError(`${file}: column \`${name}\` (${key}) not found; the file has: ${header.join(', ')}.\nSet ${key} to one of them.`);
  return i;
}

/** The feature and target columns of `available` (the header) under `d`. */
export function seriesColumns(available: string[], d: SeriesConfig): { features: string[]; targets: string[]; columns: string[] } {
  const features = d.features ?? available.filter((c) => c !== d.date_column);
  const targets = d.targets ?? features;
  return { features, targets, columns: [...features, ...targets.filter((t) => !features.includes(t))] };
}

export function readSeries(file: string, d: SeriesConfig, what = 'data file'): { series: Series; warnings: string[] } {
  const format = formatOf(file, d.format, ['csv', 'tsv', 'jsonl'], 'forecasting') as TableFormat;
  let features: string[] = [];
  let targets: string[] = [];
  let columns: string[] = [];
  let at: number[] = [];
  let dateAt = -1;
  let firstCells: string[] = [];
  let firstLine = 0;
  // values go straight into one flat array (rows are views of it): no per-cell strings are kept
  let flat = new Float64Array(1024);
  let n = 0;
  let lines: number[] = [];
  let keptDates: string[] | undefined;
  const bad: { row: number; col: number; cell: string }[] = [];
  const badRows = new Set<number>();
  const badPerColumn: number[] = [];
  scanTable(
    file,
    format,
    what,
    (header) => {
      ({ features, targets, columns } = seriesColumns(header, d));
      const key = (c: string) => (d.features?.includes(c) ? 'data.features' : d.targets?.includes(c) ? 'data.targets' : 'data.features');
      at = columns.map((c) => columnIndex(header, c, file, key(c)));
      if (d.date_column) dateAt = columnIndex(header, d.date_column, file, 'data.date_column');
      keptDates = d.date_column ? [] : undefined;
      badPerColumn.push(...columns.map(() => 0));
    },
    (cells, line) => {
      const C = columns.length;
      if ((n + 1) * C > flat.length) {
        const grown = new Float64Array(flat.length * 2);
        grown.set(flat);
        flat = grown;
      }
      if (n === 0) [firstCells, firstLine] = [at.map((j) => cells[j]), line];
      for (let c = 0; c < C; c++) {
        const s = (cells[at[c]] ?? '').trim();
        const v = MISSING.has(s.toLowerCase()) ? NaN : Number(s);
        if (!Number.isFinite(v)) {
          if (bad.length < 5) bad.push({ row: n, col: c, cell: s });
          badRows.add(n);
          badPerColumn[c]++;
        }
        flat[n * C + c] = v;
      }
      lines.push(line);
      keptDates?.push(cells[dateAt]);
      n++;
    },
  );
  const warnings: string[] = [];
  const C = columns.length;
  let rows: Float64Array[] = Array.from({ length: n }, (_, i) => flat.subarray(i * C, (i + 1) * C));
  const text = columns.filter((_, c) => n > 0 && badPerColumn[c] === n);
  if (text.length) {
    throw new DataError(
      `${file}: column(s) ${text.map((c) => `\`${c}\``).join(', ')} hold no numbers (e.g. ${JSON.stringify(firstCells[columns.indexOf(text[0])])} on line ${firstLine}).\n` +
        `List the numeric columns in data.features${d.date_column ? '' : ', or name a date column in data.date_column'}.`,
    );
  }
  if (bad.length) {
    const first = bad.map((b) => `line ${lines[b.row]} (${columns[b.col]} = ${JSON.stringify(b.cell)})`);
    const cellCount = badPerColumn.reduce((a, x) => a + x, 0);
    const summary = `${badRows.size} row(s) with missing or non-numeric values: ${first.join(', ')}${cellCount > 5 ? ', …' : ''}`;
    if (d.missing === 'error') throw new DataError(`${file}: ${summary}.\nFix the data, or set data.missing: drop | ffill.`);
    if (d.missing === 'drop') {
      const keep = rows.map((_, i) => !badRows.has(i));
      rows = rows.filter((_, i) => keep[i]);
      lines = lines.filter((_, i) => keep[i]);
      keptDates = keptDates?.filter((_, i) => keep[i]);
      warnings.push(`${file}: dropped ${summary}`);
    } else {
      // ffill: the previous row's value; rows before any value of a column are dropped
      let lead = 0;
      for (let c = 0; c < columns.length; c++) {
        let i = 0;
        while (i < rows.length && !Number.isFinite(rows[i][c])) i++;
        lead = Math.max(lead, i);
        for (; i < rows.length; i++) if (!Number.isFinite(rows[i][c])) rows[i][c] = rows[i - 1][c];
      }
      rows = rows.slice(lead);
      lines = lines.slice(lead);
      keptDates = keptDates?.slice(lead);
      warnings.push(`${file}: filled ${summary} with the previous value${lead ? `; dropped ${lead} leading row(s) with nothing to fill from` : ''}`);
    }
  }
  if (keptDates) checkTimeOrder(keptDates, lines, file);
  return { series: { file, columns, features, targets, rows, lines, dates: keptDates }, warnings };
}

/** Dates that parse must not go back in time (the windows assume file order is time order). */
function checkTimeOrder(dates: string[], lines: number[], file: string): void {
  let prev = -Infinity;
  for (let i = 0; i < dates.length; i++) {
    const t = parseDate(dates[i]);
    if (Number.isNaN(t)) return;
    if (t < prev) {
      throw new DataError(
        `${file}, line ${lines[i]}: date ${dates[i]} is earlier than the row before it (line ${lines[i - 1]}, ${dates[i - 1]}).\n` +
          'Forecasting needs the rows in time order; sort the file by data.date_column.',
      );
    }
    prev = t;
  }
}

const LOCAL_ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

/** Milliseconds of a date cell; ISO dates without a zone are read as UTC, so results do not depend on the machine. */
export function parseDate(s: string): number {
  const t = s.trim();
  return Date.parse(LOCAL_ISO.test(t) && t.length > 10 ? `${t}Z` : t);
}

/**
 * Dates for `n` steps after the last row, spaced like the last two rows and written like them
 * (e.g. `2024-03-01T05:00`); undefined when they do not parse.
 */
export function nextDates(dates: readonly string[] | undefined, n: number): string[] | undefined {
  if (!dates || dates.length < 2) return undefined;
  const a = parseDate(dates[dates.length - 2]);
  const b = parseDate(dates[dates.length - 1]);
  if (Number.isNaN(a) || Number.isNaN(b) || b <= a) return undefined;
  const last = dates[dates.length - 1].trim();
  return Array.from({ length: n }, (_, h) => {
    const iso = new Date(b + (h + 1) * (b - a)).toISOString();
    return LOCAL_ISO.test(last) ? iso.slice(0, last.length) : iso;
  });
}
