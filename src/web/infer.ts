/**
 * `seqnet/infer`: a small browser-safe API over an export folder (model.json, weights.bin,
 * seqnet.json). Text goes through the same tokenizer, padding and sampling code as the CLI, so a
 * page gives what `seqnet generate` / `seqnet predict` give for the same run.
 *
 *   const m = await load('model/');          // a folder URL (or { model: IOHandler, seqnet } in Node)
 *   m.generate('The ', { temperature: 0.8, topK: 5, seed: 1 });
 *   m.classify('a fine film');  m.tag('the dog runs');  m.forecast(rows);
 */
import * as tf from '@tensorflow/tfjs';
import type { SeqnetJson } from '../export/processing.js';
import { BOS, EOS, loadTokenizer, splitWords, WordTokenizer, type Tokenizer } from '../data/tokenizers/index.js';
import { padInto, truncated } from '../data/sequence.js';
import { sampleFromLogits } from '../generate/sample.js';
import { Rng } from '../util/rng.js';
import './layers/index.js';
import { decodeOne } from './translate.js';

export type { SeqnetJson };

export interface GenerateOptions {
  /** 0 = greedy (argmax); default seqnet.json's generation.temperature */
  temperature?: number;
  topK?: number | null;
  topP?: number | null;
  /** same seed, same text (as `seqnet generate --seed`) */
  seed?: number;
  /** new tokens at most (stops earlier at <eos>) */
  length?: number;
}

export interface Classified {
  label: string;
  /** every label's probability, most likely first */
  probabilities: Record<string, number>;
}

export interface Translation {
  translation: string;
  /** natural-log probability of the output under the model */
  logProb: number;
  sourceTokens: string[];
  /** the output tokens, `<eos>` last when decoding reached it */
  targetTokens: string[];
  /** per target token, its attention weights over the source tokens (models with attention) */
  attention: number[][];
}

export interface ForecastStep {
  step: number;
  values: Record<string, number>;
}

/** Where an export lives: a folder URL, or (Node, tests) an IO handler and the parsed seqnet.json. */
export type Source = string | { model: tf.io.IOHandler; seqnet: SeqnetJson };

const RECURRENT = ['LSTM', 'SimpleRNN', 'GRU', 'SeqnetRecurrent'];

/**
 * The same language model with stateful recurrent layers and batch 1, sharing nothing: each new
 * token then costs one step (as `seqnet generate`), not a re-run of the whole text.
 */
async function statefulTwin(model: tf.LayersModel): Promise<tf.LayersModel> {
  const topo = JSON.parse(JSON.stringify(model.toJSON(undefined, false))) as {
    config: { layers: { class_name: string; config: Record<string, unknown> }[] };
  };
  for (const l of topo.config.layers) {
    if (l.class_name === 'InputLayer') l.config.batch_input_shape = [1, ...(l.config.batch_input_shape as unknown[]).slice(1)];
    if (RECURRENT.includes(l.class_name)) l.config.stateful = true;
  }
  const twin = await tf.models.modelFromJSON({ modelTopology: topo } as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);
  twin.setWeights(model.getWeights());
  return twin;
}

async function open(model: tf.LayersModel, meta: SeqnetJson): Promise<SeqnetModel> {
  const stepwise = meta.task === 'language_model' && meta.generation?.context === null ? await statefulTwin(model) : undefined;
  return new SeqnetModel(model, meta, stepwise);
}

export async function load(src: Source): Promise<SeqnetModel> {
  if (typeof src !== 'string') return open(await tf.loadLayersModel(src.model), src.seqnet);
  const base = src.endsWith('/') ? src : `${src}/`;
  const res = await fetch(`${base}seqnet.json`);
  if (!res.ok) throw new Error(`${base}seqnet.json: HTTP ${res.status}; is this a seqnet export folder?`);
  return open(await tf.loadLayersModel(`${base}model.json`), (await res.json()) as SeqnetJson);
}

export class SeqnetModel {
  readonly task: SeqnetJson['task'];
  readonly tokenizer?: Tokenizer;
  readonly targetTokenizer?: Tokenizer;

  constructor(
    readonly model: tf.LayersModel,
    readonly meta: SeqnetJson,
    /** recurrent language models: a stateful batch-1 copy for token-by-token generation */
    private readonly stepwise?: tf.LayersModel,
  ) {
    this.task = meta.task;
    if (meta.tokenizer) this.tokenizer = loadTokenizer(meta.tokenizer, 'seqnet.json');
    if (meta.seq2seq) this.targetTokenizer = loadTokenizer(meta.seq2seq.target_tokenizer, 'seqnet.json');
  }

  private need(task: SeqnetJson['task'], what: string): void {
    if (this.task !== task) throw new Error(`${what} needs a ${task} model; this one is ${this.task}.`);
  }

  /** ids [B, T] int32 → the model's output as nested arrays */
  private run(ids: Int32Array | Float32Array, shape: number[], dtype: 'int32' | 'float32'): tf.Tensor {
    return tf.tidy(() => this.model.predict(tf.tensor(ids, shape, dtype)) as tf.Tensor);
  }

  /**
   * Continues `prime` token by token, yielding each new piece of text (for streaming). Recurrent
   * models carry their state from token to token (as `seqnet generate`), others re-read the last
   * seq_len tokens.
   */
  *stream(prime: string, o: GenerateOptions = {}): Generator<string, void> {
    this.need('language_model', 'generate');
    const g = this.meta.generation!;
    const opts = { temperature: o.temperature ?? g.temperature, topK: o.topK ?? g.top_k, topP: o.topP ?? null };
    const rng = new Rng(o.seed ?? 1);
    const ids = this.tokenizer!.encode(prime);
    if (!ids.length) ids.push(BOS);
    this.stepwise?.resetStates();
    let fresh = ids.slice(); // what the model has not read yet: the prime, then each new token
    try {
      for (let i = 0; i < (o.length ?? g.length); i++) {
        const ctx = this.stepwise ? fresh : g.context === null ? ids : ids.slice(-g.context);
        const y = tf.tidy(() => {
          const x = tf.tensor2d(Int32Array.from(ctx), [1, ctx.length], 'int32');
          const out = (this.stepwise ?? this.model).predict(x) as tf.Tensor3D; // [1, T, V]
          return out.slice([0, ctx.length - 1, 0], [1, 1, -1]).reshape([-1]);
        });
        const row = y.dataSync() as Float32Array;
        y.dispose();
        const id = sampleFromLogits(row, opts, rng, g.banned);
        if (id === EOS) return;
        ids.push(id);
        fresh = [id];
        yield this.tokenizer!.decode([id]);
      }
    } finally {
      this.stepwise?.resetStates(); // the carried state is freed, also when the caller stops early
    }
  }

  /** `prime` followed by its continuation (as `seqnet generate`). */
  generate(prime: string, o: GenerateOptions = {}): string {
    let text = prime;
    for (const piece of this.stream(prime, o)) text += piece;
    return text;
  }

  /** label probabilities of one text (as `seqnet predict`) */
  classify(text: string): Classified {
    this.need('classification', 'classify');
    const T = this.meta.input.seq_len;
    const x = new Int32Array(T);
    padInto(x, 0, this.tokenizer!.encode(text), T, this.meta.input.truncate);
    const p = tf.tidy(() => tf.softmax(this.run(x, [1, T], 'int32')));
    const probs = Array.from(p.dataSync());
    p.dispose();
    const labels = this.meta.labels!;
    const order = probs.map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0]);
    return { label: labels[order[0][1]], probabilities: Object.fromEntries(order.map(([v, c]) => [labels[c], v])) };
  }

  /** one tag per word of `text`, seq_len words at a time (as `seqnet predict`) */
  tag(text: string): { tokens: string[]; tags: string[] } {
    this.need('tagging', 'tag');
    const tok = this.tokenizer as WordTokenizer;
    const tokens = splitWords(text);
    const T = this.meta.input.seq_len;
    const tags: string[] = [];
    for (let j = 0; j < Math.max(1, Math.ceil(tokens.length / T)); j++) {
      const piece = tokens.slice(j * T, (j + 1) * T);
      const x = new Int32Array(T);
      padInto(x, 0, tok.encodeTokens(piece), T, 'post');
      const best = tf.tidy(() => this.run(x, [1, T], 'int32').argMax(-1));
      const ids = best.dataSync();
      best.dispose();
      piece.forEach((_, t) => tags.push(this.meta.tags![ids[t]]));
    }
    return { tokens, tags };
  }

  /** the translation of `text` (as `seqnet predict`), with the attention over the source tokens */
  translate(text: string, o: { beam?: number } = {}): Translation {
    this.need('seq2seq', 'translate');
    const z = this.meta.seq2seq!;
    const ids = [...truncated(this.tokenizer!.encode(text), this.meta.input.seq_len, this.meta.input.truncate)];
    if (!ids.length) throw new Error('translate needs a non-empty text');
    const beam = o.beam ?? (z.decoding === 'beam' ? z.beam_size : 1);
    const d = decodeOne(this.model, ids, { strategy: beam > 1 ? 'beam' : 'greedy', beamSize: beam, lengthPenalty: z.length_penalty, maxLength: z.max_length });
    const out = d.ids[d.ids.length - 1] === EOS ? d.ids.slice(0, -1) : d.ids;
    const vocab = (t: Tokenizer, xs: number[]) => xs.map((id) => t.vocab[id] ?? '?');
    return {
      translation: this.targetTokenizer!.decode(out),
      logProb: d.logProb,
      sourceTokens: vocab(this.tokenizer!, ids),
      targetTokens: vocab(this.targetTokenizer!, d.ids),
      attention: d.attention,
    };
  }

  /** the next `horizon` values of the targets after `rows` (objects by column name; the last `lookback` are read) */
  forecast(rows: Record<string, number>[]): ForecastStep[] {
    this.need('forecasting', 'forecast');
    const f = this.meta.forecast!;
    const s = f.scaler as { columns: string[]; shift: number[]; scale: number[] };
    if (rows.length < f.lookback) throw new Error(`forecast needs the last ${f.lookback} rows; got ${rows.length}.`);
    const at = (c: string) => s.columns.indexOf(c);
    const x = new Float32Array(f.lookback * f.features.length);
    const first = rows.length - f.lookback;
    rows.slice(first).forEach((r, t) =>
      f.features.forEach((c, j) => {
        // a missing column or a non-number would otherwise become NaN and a NaN forecast
        const raw: unknown = r[c];
        const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
        if (!Number.isFinite(v)) throw new Error(`forecast: row ${first + t + 1} has no number for column ${c} (got ${JSON.stringify(raw) ?? 'nothing'}); every row needs ${f.features.join(', ')}.`);
        x[t * f.features.length + j] = (v - s.shift[at(c)]) / s.scale[at(c)];
      }),
    );
    const y = this.run(x, [1, f.lookback, f.features.length], 'float32');
    const v = (y.arraySync() as number[][][])[0];
    y.dispose();
    return v.map((row, h) => ({ step: h + 1, values: Object.fromEntries(f.targets.map((t, k) => [t, row[k] * s.scale[at(t)] + s.shift[at(t)]])) }));
  }

  dispose(): void {
    this.model.dispose();
    this.stepwise?.dispose();
  }
}
