/**
 * Multivariate time series for forecasting: numeric columns of a CSV/TSV/JSONL table, one row per
 * time step in file order. Missing or non-numeric cells are reported (count and first lines) and
 * handled by `data.missing`.
 */
import type { DataConfig } from '../config/schema/index.js';
import { DataError } from '../util/errors.js';
import { formatOf } from './format.js';
import { column, readTable, type TableFormat } from './table.js';

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

/** The feature and target columns of `available` (the header) under `d`. */
export function seriesColumns(available: string[], d: SeriesConfig): { features: string[]; targets: string[]; columns: string[] } {
  const features = d.features ?? available.filter((c) => c !== d.date_column);
  const targets = d.targets ?? features;
  return { features, targets, columns: [...features, ...targets.filter((t) => !features.includes(t))] };
}

export function readSeries(file: string, d: SeriesConfig, what = 'data file'): { series: Series; warnings: string[] } {
  const t = readTable(file, formatOf(file, d.format, ['csv', 'tsv', 'jsonl'], 'forecasting') as TableFormat, what);
  const { features, targets, columns } = seriesColumns(t.columns, d);
  const key = (c: string) => (d.features?.includes(c) ? 'data.features' : d.targets?.includes(c) ? 'data.targets' : 'data.features');
  const cells = columns.map((c) => column(t, c, file, key(c)));
  const dates = d.date_column ? column(t, d.date_column, file, 'data.date_column') : undefined;
  const warnings: string[] = [];

  let rows: Float64Array[] = [];
  let lines: number[] = [];
  let keptDates: string[] | undefined = dates ? [] : undefined;
  const bad: { row: number; col: number }[] = [];
  const badRows = new Set<number>();
  for (let i = 0; i < t.rows.length; i++) {
    const r = new Float64Array(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const s = cells[c][i].trim();
      const v = MISSING.has(s.toLowerCase()) ? NaN : Number(s);
      if (!Number.isFinite(v)) {
        bad.push({ row: i, col: c });
        badRows.add(i);
      }
      r[c] = v;
    }
    rows.push(r);
    lines.push(t.line(i));
    keptDates?.push(dates![i]);
  }
  const text = columns.filter((_, c) => t.rows.length > 0 && bad.filter((b) => b.col === c).length === t.rows.length);
  if (text.length) {
    throw new DataError(
      `${file}: column(s) ${text.map((c) => `\`${c}\``).join(', ')} hold no numbers (e.g. ${JSON.stringify(cells[columns.indexOf(text[0])][0])} on line ${t.line(0)}).\n` +
        `List the numeric columns in data.features${d.date_column ? '' : ', or name a date column in data.date_column'}.`,
    );
  }
  if (bad.length) {
    const first = bad.slice(0, 5).map((b) => `line ${t.line(b.row)} (${columns[b.col]} = ${JSON.stringify(cells[b.col][b.row])})`);
    const summary = `${badRows.size} row(s) with missing or non-numeric values: ${first.join(', ')}${bad.length > 5 ? ', …' : ''}`;
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
