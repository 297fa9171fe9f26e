/** Sampling the next token from logits: temperature, top-k and top-p (nucleus), seeded. */
import type { Rng } from '../util/rng.js';

export interface SampleOptions {
  /** 0 means greedy (argmax) */
  temperature: number;
  topK: number | null;
  topP: number | null;
}

/** Picks an index from one row of logits. */
export function sampleFromLogits(logits: Float32Array, o: SampleOptions, rng: Rng, banned: readonly number[] = []): number {
  const n = logits.length;
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => !banned.includes(i));
  order.sort((a, b) => logits[b] - logits[a]);
  if (o.temperature === 0) return order[0];
  let kept = o.topK ? order.slice(0, o.topK) : order;
  const max = logits[kept[0]];
  let probs = kept.map((i) => Math.exp((logits[i] - max) / o.temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  if (o.topP !== null && o.topP < 1) {
    let cum = 0;
    let cut = kept.length;
    for (let j = 0; j < kept.length; j++) {
      cum += probs[j] / total;
      if (cum >= o.topP) {
        cut = j + 1;
        break;
      }
    }
    kept = kept.slice(0, cut);
    probs = probs.slice(0, cut);
    total = probs.reduce((a, b) => a + b, 0);
  }
  let r = rng.next() * total;
  for (let j = 0; j < kept.length; j++) {
    r -= probs[j];
    if (r <= 0) return kept[j];
  }
  return kept[kept.length - 1];
}
