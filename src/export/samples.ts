/**
 * A starting input for the demo page, taken from the run's training file when it is still there:
 * a prime, a text to classify, a sentence to tag, or the last window of the series.
 * Best effort: a moved or unreadable file just leaves the page's box empty.
 */
import fs from 'node:fs';
import type { Config } from '../config/schema/index.js';
import { readConll } from '../data/conll.js';
import { formatOf } from '../data/format.js';
import { readSeries } from '../data/series.js';
import { readTable } from '../data/table.js';
import { readText } from '../data/read.js';

export interface DemoSample {
  text?: string;
  /** forecasting: the last rows of the series by column, and their dates if any */
  rows?: Record<string, number>[];
  dates?: string[];
}

function sampleOf(cfg: Config): DemoSample {
  const d = cfg.data;
  const file = Array.isArray(d.train) ? d.train[0] : d.train;
  if (typeof file !== 'string' || !fs.existsSync(file)) return {};
  switch (cfg.task) {
    case 'language_model':
      return { text: readText(file).trimStart().slice(0, cfg.data.tokenizer.type === 'char' ? 12 : 40) };
    case 'classification': {
      const f = formatOf(file, d.format, ['csv', 'tsv', 'jsonl', 'text'], 'demo');
      if (f === 'text') return { text: readText(file).split('\n')[0] };
      if (f === 'conll') return {};
      return { text: readTable(file, f).rows[0]?.[d.text_column ?? 'text'] };
    }
    case 'tagging':
      return { text: readConll(file, { tags: false })[0]?.tokens.join(' ') };
    case 'seq2seq': {
      const f = formatOf(file, d.format, ['csv', 'tsv', 'jsonl'], 'demo');
      return f === 'conll' || f === 'text' ? {} : { text: readTable(file, f).rows[0]?.[d.source_column ?? 'source'] };
    }
    case 'forecasting': {
      const { series } = readSeries(file, d);
      const n = d.lookback * 3;
      const rows = series.rows.slice(-n).map((r) => Object.fromEntries(series.columns.map((c, i) => [c, r[i]])));
      return { rows, dates: series.dates?.slice(-n) };
    }
    default:
      return {};
  }
}

export function demoSample(cfg: Config): DemoSample {
  try {
    return sampleOf(cfg);
  } catch {
    return {};
  }
}
