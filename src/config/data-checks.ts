/** Cross-field checks of the `data:` section against the task, as `path: message` problems. */
import type { Config } from './schema/index.js';

export interface Problem {
  path: (string | number)[];
  msg: string;
}

const FORMATS: Partial<Record<Config['task'], readonly string[]>> = {
  classification: ['csv', 'tsv', 'jsonl'],
  tagging: ['conll'],
  forecasting: ['csv', 'tsv', 'jsonl'],
  language_model: ['text'],
  seq2seq: ['csv', 'tsv', 'jsonl'],
};

export function dataProblems(cfg: Config): Problem[] {
  const { data: d, task } = cfg;
  const out: Problem[] = [];
  const formats = FORMATS[task];
  if (d.format !== null && formats && !formats.includes(d.format)) {
    out.push({ path: ['data', 'format'], msg: `task ${task} reads ${formats.join(' | ')} data, not ${d.format}` });
  }
  if (task === 'classification') {
    for (const k of ['text_column', 'label_column'] as const) {
      if (d[k] === null) out.push({ path: ['data', k], msg: `required for task classification (the column holding the ${k === 'text_column' ? 'text' : 'label'})` });
    }
  }
  if (task === 'seq2seq') {
    for (const k of ['source_column', 'target_column'] as const) {
      if (d[k] === null) out.push({ path: ['data', k], msg: `required for task seq2seq (the column holding the ${k === 'source_column' ? 'source' : 'target'} text)` });
    }
  }
  if (task === 'tagging' && d.tokenizer.type !== 'word') {
    out.push({
      path: ['data', 'tokenizer', 'type'],
      msg: `tagging needs the word tokenizer (one id per CoNLL token keeps tags aligned), not \`${d.tokenizer.type}\``,
    });
  }
  if (task === 'forecasting' && d.date_column !== null) {
    for (const k of ['features', 'targets'] as const) {
      if (d[k]?.includes(d.date_column)) out.push({ path: ['data', k], msg: `lists the date column \`${d.date_column}\`; dates are not numeric values to model` });
    }
  }
  if (d.documents !== 'none' && task !== 'language_model') {
    out.push({ path: ['data', 'documents'], msg: `applies to language_model text only (task is ${task}); remove it` });
  }
  if (cfg.train.tbptt !== null && task !== 'language_model' && task !== 'forecasting') {
    out.push({ path: ['train', 'tbptt'], msg: `truncated backpropagation applies to language_model and forecasting windows (task is ${task}); set it to null` });
  }
  if (cfg.train.tbptt !== null && task === 'language_model' && !['rnn', 'lstm', 'gru'].includes(cfg.model.type)) {
    out.push({ path: ['train', 'tbptt'], msg: `carries recurrent state between chunks, so it needs an rnn, lstm or gru model (model.type is ${cfg.model.type}); set it to null` });
  }
  return out;
}
