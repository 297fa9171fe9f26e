/**
 * seqnet.json: everything around the exported model that a page or service needs to turn input
 * into model ids and outputs back into labels, tags, values or text. Read by `seqnet/infer`.
 */
import type { Config } from '../config/schema/index.js';
import { SPECIAL_TOKENS, type TokenizerJSON } from '../data/tokenizers/index.js';
import type { Artifacts } from '../tasks/types.js';
import { RunError } from '../util/errors.js';

export const SEQNET_JSON_VERSION = 1;

export interface SeqnetJson {
  format: 'seqnet-export';
  version: number;
  task: Config['task'];
  family: string;
  /** the exported model.json uses only standard TensorFlow.js layers */
  standard_layers: boolean;
  /** seqnet classes the model keeps; `import 'seqnet/layers'` (or seqnet-layers.js) registers them */
  custom_layers: string[];
  input: { dtype: 'int32' | 'float32'; seq_len: number; padding: 'post'; pad_id: number; truncate: 'pre' | 'post' };
  tokenizer?: TokenizerJSON;
  special_tokens: { pad: number; unk: number; bos: number; eos: number; names: readonly string[] };
  labels?: string[];
  tags?: string[];
  /** seq2seq: the target side and how predict decodes (source text goes through `tokenizer`) */
  seq2seq?: {
    target_tokenizer: TokenizerJSON;
    /** target tokens decoded at most, <eos> included */
    max_length: number;
    decoding: 'greedy' | 'beam';
    beam_size: number;
    length_penalty: number;
    attention: string;
  };
  forecast?: { features: string[]; targets: string[]; lookback: number; horizon: number; scaler: unknown };
  generation?: {
    /** tokens of history fed back each step: null = the whole text (recurrent state), else the last N */
    context: number | null;
    temperature: number;
    top_k: number | null;
    length: number;
    /** ids never sampled */
    banned: number[];
  };
}

const need = (a: Artifacts, k: string, dir: string): unknown => {
  if (a[k] === undefined) throw new RunError(`${dir}: ${k}.json is missing; the run directory is damaged.`);
  return a[k];
};

/** seqnet.json for the run in `dir` (config `cfg`, artifacts as saved beside it). */
export function processingOf(dir: string, cfg: Config, a: Artifacts, custom: string[]): SeqnetJson {
  const d = cfg.data;
  const forecasting = cfg.task === 'forecasting';
  const recurrent = ['lstm', 'gru', 'rnn'].includes(cfg.model.type);
  const out: SeqnetJson = {
    format: 'seqnet-export',
    version: SEQNET_JSON_VERSION,
    task: cfg.task,
    family: cfg.model.type,
    standard_layers: custom.length === 0,
    custom_layers: [...new Set(custom)].sort(),
    input: { dtype: forecasting ? 'float32' : 'int32', seq_len: forecasting ? d.lookback : d.seq_len, padding: 'post', pad_id: 0, truncate: d.truncate },
    special_tokens: { pad: 0, unk: 1, bos: 2, eos: 3, names: SPECIAL_TOKENS },
  };
  if (!forecasting) out.tokenizer = need(a, 'tokenizer', dir) as TokenizerJSON;
  if (cfg.task === 'classification') out.labels = (need(a, 'labels', dir) as { labels: string[] }).labels;
  if (cfg.task === 'tagging') out.tags = (need(a, 'labels', dir) as { labels: string[] }).labels;
  if (cfg.model.type === 'seq2seq') {
    const t = need(a, 'target_tokenizer', dir) as TokenizerJSON & { max_length: number };
    const m = cfg.model;
    out.seq2seq = { target_tokenizer: t, max_length: t.max_length, decoding: m.decoding, beam_size: m.beam_size, length_penalty: m.length_penalty, attention: m.attention };
  }
  if (forecasting) {
    const scaler = need(a, 'scaler', dir) as { columns: string[] };
    const features = d.features ?? scaler.columns;
    out.forecast = { features, targets: d.targets ?? features, lookback: d.lookback, horizon: d.horizon, scaler };
  }
  if (cfg.task === 'language_model') {
    // as `seqnet generate`: recurrent models carry their state over the whole text, others re-read the last seq_len tokens
    out.generation = { context: recurrent ? null : d.seq_len, temperature: 1, top_k: null, length: 200, banned: [0, 1, 2] };
  }
  return out;
}
