/**
 * Stateful scoring of a recurrent language model (`seqnet eval --stateful`): the text is read as
 * one stream, window after window of `seqLen` tokens, each recurrent layer starting a window from
 * the state it ended the previous one with; with documents the state resets where each begins.
 * Every token after the first is scored once, with all the context before it.
 */
import type { TokenIds } from '../data/corpus.js';
import { tf } from '../backend/index.js';
import { BOS } from '../data/tokenizers/types.js';
import { carriedModel, forwardCarried, type CarriedState } from '../models/carry.js';
import { sparseCrossEntropy } from '../tasks/losses.js';

export interface StatefulScores {
  stateful_loss: number;
  stateful_perplexity: number;
  stateful_bits_per_token: number;
  stateful_tokens: number;
}

/** ids: the split's token stream; documents: reset at each <bos>. */
export function scoreStateful(model: tf.LayersModel, ids: TokenIds, seqLen: number, documents: boolean): StatefulScores {
  const m = carriedModel(model, 'eval --stateful');
  // the pieces read as independent streams: the whole text, or each document from its <bos>
  const cuts = [0];
  if (documents) ids.forEach((t, i) => i > 0 && t === BOS && cuts.push(i));
  cuts.push(ids.length);
  let nll = 0;
  let n = 0;
  for (let p = 0; p + 1 < cuts.length; p++) {
    let state: CarriedState | undefined;
    for (let s = cuts[p]; s + 1 < cuts[p + 1]; s += seqLen) {
      const T = Math.min(seqLen, cuts[p + 1] - 1 - s);
      const x = tf.tensor2d(Int32Array.from(ids.subarray(s, s + T)), [1, T], 'int32'); // [1, T]
      const y = tf.tensor2d(Int32Array.from(ids.subarray(s + 1, s + T + 1)), [1, T], 'int32');
      const { loss, next } = tf.tidy(() => {
        const r = forwardCarried(m, x, state, false);
        return { loss: sparseCrossEntropy(r.logits, y), next: r.states.flat() };
      });
      nll += loss.dataSync()[0] * T;
      n += T;
      tf.dispose([x, y, loss, ...(state?.flat() ?? [])]);
      state = regroup(next, m.recurrent.map((l) => (l.cell === 'lstm' ? 2 : 1)));
    }
    tf.dispose(state?.flat() ?? []);
  }
  const loss = nll / Math.max(1, n);
  return { stateful_loss: loss, stateful_perplexity: Math.exp(loss), stateful_bits_per_token: loss / Math.LN2, stateful_tokens: n };
}

/** flat states back into per-layer groups of `sizes` */
function regroup(flat: tf.Tensor2D[], sizes: number[]): CarriedState {
  let i = 0;
  return sizes.map((k) => flat.slice(i, (i += k)));
}
