/**
 * attention.svg. seq2seq: the first test example's source tokens (columns) against the decoded
 * target tokens (rows). transformer: for the first test example, one self-attention map per layer
 * (query rows × key columns, averaged over heads), recomputed from each block's input with the
 * block's own weights.
 */
import { tf } from '../backend/index.js';
import { loadTokenizer, type TokenizerJSON } from '../data/tokenizers/index.js';
import { EOS, PAD } from '../data/tokenizers/types.js';
import { selfAttention, type AttentionWeights } from '../models/layers/attention.js';
import { SeqnetTransformerBlock } from '../models/layers/block.js';
import { layerNorm } from '../models/layers/norm.js';
import { layersOf } from '../models/predictor.js';
import { decodeAll } from '../models/seq2seq/decode.js';
import { showToken } from '../tasks/attention_svg.js';
import { stripEos } from '../tasks/seq2seq_metrics.js';
import type { Seq2seqSplit } from '../tasks/seq2seq_pairs.js';
import { HEAT, renderSvg, title, type ChartOption } from './chart.js';
import type { Loaded } from './predictions.js';

export interface AttentionMap {
  label: string;
  /** column (key / source) and row (query / output) tokens */
  cols: string[];
  rows: string[];
  /** weights[row][col] */
  weights: number[][];
}

const vocabOf = (l: Loaded, key: string) => (l.artifacts[key] ? loadTokenizer(l.artifacts[key] as TokenizerJSON, `${key}.json`).vocab : undefined);

/** null when the model has no attention to draw */
export function attentionMaps(l: Loaded): { maps: AttentionMap[]; kind: string } | null {
  if (l.cfg.model.type === 'seq2seq') return seq2seqMap(l);
  if (l.cfg.model.type === 'transformer') return transformerMaps(l);
  return null;
}

function seq2seqMap(l: Loaded): { maps: AttentionMap[]; kind: string } | null {
  const s = l.split as Seq2seqSplit;
  if (l.cfg.model.type !== 'seq2seq' || l.cfg.model.attention === 'none' || !s.size) return null;
  const src = vocabOf(l, 'tokenizer')!;
  const tgt = vocabOf(l, 'target_tokenizer')!;
  const [d] = decodeAll(layersOf(l.model, 'attention.svg'), [s.sources[0]], { ...s.decoding, attention: true }, 1);
  if (!d.attention) return null;
  const rows = [...stripEos(d.ids).map((id) => tgt[id] ?? '?'), ...(d.ids.includes(EOS) ? ['<eos>'] : [])];
  return {
    kind: `${l.cfg.model.attention} attention, first ${l.splitName} example`,
    maps: [{ label: 'output token', cols: s.sources[0].map((id) => showToken(src[id] ?? '?')), rows: rows.map(showToken), weights: d.attention.map((r) => Array.from(r)) }],
  };
}

function transformerMaps(l: Loaded): { maps: AttentionMap[]; kind: string } | null {
  const net = layersOf(l.model, 'attention.svg');
  const blocks = net.layers.filter((x): x is SeqnetTransformerBlock => x instanceof SeqnetTransformerBlock);
  if (!blocks.length || !l.split.size) return null;
  const b = l.split.batch([0]);
  const x = b.xs[0]; // [1, T] int32 token ids, or [1, T, F] features (forecasting)
  const vocab = vocabOf(l, 'tokenizer');
  const T = x.shape[1]!;
  const ids = x.rank === 2 ? Array.from(x.dataSync()) : null;
  const keep = ids ? ids.map((id, t) => id !== PAD || (l.cfg.task === 'language_model' && t === 0)) : Array(T).fill(true);
  const labels = ids ? ids.map((id) => showToken(vocab?.[id] ?? String(id))) : Array.from({ length: T }, (_, t) => `t-${T - 1 - t}`);
  const maps: AttentionMap[] = [];
  try {
    for (const [i, block] of blocks.entries()) {
      const sub = tf.model({ inputs: net.inputs, outputs: block.input as tf.SymbolicTensor });
      const p = tf.tidy(() => {
        const h = sub.predict(x) as tf.Tensor3D; // [1, T', D]; T' = T + 1 with a [CLS] position in front
        const Tp = h.shape[1];
        const cls = Tp === T + 1;
        const real = [...(cls ? [true] : []), ...keep];
        const keyMask = l.cfg.task === 'language_model' || !ids ? null : (tf.tensor2d(real.map(Number), [1, Tp]) as tf.Tensor2D);
        const [g1, b1, qkvKernel, qkvBias, outKernel, outBias] = block.getWeights();
        const w = { qkvKernel, qkvBias, outKernel, outBias } as AttentionWeights;
        const { weights } = selfAttention(layerNorm(h, g1, b1, block.epsilon) as tf.Tensor3D, w, { heads: block.heads, causal: block.causal, rate: 0 }, keyMask, false, true);
        return weights!.mean(1).squeeze([0]) as tf.Tensor2D; // [T', T'] averaged over heads
      });
      const m = p.arraySync();
      p.dispose();
      const cls = m.length === T + 1;
      const toks = [...(cls ? ['[CLS]'] : []), ...labels];
      const realIdx = [...(cls ? [true] : []), ...keep].flatMap((k, j) => (k ? [j] : []));
      maps.push({ label: `layer ${i + 1}`, cols: realIdx.map((j) => toks[j]), rows: realIdx.map((j) => toks[j]), weights: realIdx.map((r) => realIdx.map((c) => m[r][c])) });
    }
  } finally {
    tf.dispose([...b.xs, b.ys, ...(b.weights ? [b.weights] : [])]);
  }
  const causal = blocks[0].causal ? 'causal self-attention' : 'self-attention';
  return { kind: `${causal} per layer, mean over ${blocks[0].heads} heads, first ${l.splitName} example`, maps };
}

export function attentionSvg(a: { maps: AttentionMap[]; kind: string }, runName: string, axes: { cols: string; rows: string }): string {
  const n = Math.max(...a.maps.map((m) => Math.max(m.cols.length, m.rows.length)));
  const cell = Math.max(12, Math.min(30, Math.floor(520 / n)));
  const longest = (xs: string[]) => Math.max(1, ...xs.map((t) => [...t].length));
  const rotate = (m: AttentionMap) => m.cols.length > 8 || longest(m.cols) * 7 > cell;
  // room under each map for its (rotated) column labels and the axis title
  const under = a.maps.map((m) => (rotate(m) ? Math.ceil(longest(m.cols) * 6.6 * 0.87) + 12 : 22) + 30);
  const left = 40 + Math.min(110, 7 * longest(a.maps.flatMap((m) => m.rows)));
  const labelled = a.maps.length > 1;
  const TOP = 80 + (labelled ? 24 : 0);
  const hs = a.maps.map((m) => m.rows.length * cell);
  const tops = hs.map((_, i) => TOP + hs.slice(0, i).reduce((s, h, j) => s + h + under[j] + (labelled ? 40 : 20), 0));
  const width = Math.max(620, left + cell * Math.max(...a.maps.map((m) => m.cols.length)) + 150);
  const max = Math.max(1e-6, ...a.maps.flatMap((m) => m.weights.flat()));
  const option: ChartOption = {
    title: [
      title(`${runName}: attention`, a.kind) as object,
      ...(labelled ? a.maps.map((m, i) => ({ text: m.label, left, top: tops[i] - 24, textStyle: { fontSize: 13, fontWeight: 'normal' } })) : []),
    ],
    grid: a.maps.map((m, i) => ({ left, top: tops[i], width: m.cols.length * cell, height: hs[i] })),
    xAxis: a.maps.map((m, i) => ({
      type: 'category', gridIndex: i, data: m.cols, name: axes.cols, nameLocation: 'middle', nameGap: under[i] - 12,
      axisLabel: { interval: 0, rotate: rotate(m) ? 60 : 0, fontSize: 11, fontFamily: 'monospace' },
    })),
    yAxis: a.maps.map((m, i) => ({
      type: 'category', gridIndex: i, data: m.rows, inverse: true, name: axes.rows, nameLocation: 'middle', nameGap: left - 22,
      axisLabel: { interval: 0, fontSize: 11, fontFamily: 'monospace' },
    })),
    visualMap: { min: 0, max, dimension: 2, orient: 'vertical', right: 10, top: TOP, text: [`weight ${max.toFixed(2)}`, '0'], inRange: { color: HEAT }, textStyle: { fontSize: 11 } },
    series: a.maps.map((m, i) => ({
      type: 'heatmap', name: m.label, xAxisIndex: i, yAxisIndex: i,
      data: m.weights.flatMap((row, r) => row.map((w, c) => [c, r, w])),
      itemStyle: { borderColor: '#eee', borderWidth: 0.5 },
    })),
  } as ChartOption;
  const height = tops[tops.length - 1] + hs[hs.length - 1] + under[under.length - 1] + 10;
  return renderSvg(option, width, height);
}
