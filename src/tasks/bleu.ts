/**
 * Corpus BLEU (Papineni et al. 2002) with one reference per hypothesis:
 *   p_n  = Σ clipped n-gram matches / Σ hypothesis n-grams   (summed over the corpus), n = 1..N
 *   BP   = 1 if c > r else exp(1 − r/c)                       (c, r: total hypothesis / reference length)
 *   BLEU = BP · exp(Σ_n log p_n / N)                           (0 when some p_n is 0)
 * Tokens are whatever the caller gives (here: target-tokenizer ids, so characters for `char`).
 */

export interface BleuResult {
  /** in [0, 1] */
  bleu: number;
  /** p_1 … p_N */
  precisions: number[];
  brevity_penalty: number;
  hypothesis_length: number;
  reference_length: number;
}

function ngramCounts(tokens: readonly (string | number)[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0001');
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

export function corpusBleu(hypotheses: readonly (readonly (string | number)[])[], references: readonly (readonly (string | number)[])[], maxN = 4): BleuResult {
  if (hypotheses.length !== references.length) throw new Error(`corpusBleu: ${hypotheses.length} hypotheses but ${references.length} references`);
  const matches = new Array<number>(maxN).fill(0);
  const totals = new Array<number>(maxN).fill(0);
  let c = 0;
  let r = 0;
  hypotheses.forEach((hyp, i) => {
    const ref = references[i];
    c += hyp.length;
    r += ref.length;
    for (let n = 1; n <= maxN; n++) {
      const refCounts = ngramCounts(ref, n);
      for (const [g, k] of ngramCounts(hyp, n)) matches[n - 1] += Math.min(k, refCounts.get(g) ?? 0);
      totals[n - 1] += Math.max(0, hyp.length - n + 1);
    }
  });
  const precisions = matches.map((m, i) => (totals[i] > 0 ? m / totals[i] : 0));
  const bp = c === 0 ? 0 : c > r ? 1 : Math.exp(1 - r / c);
  const bleu = precisions.some((p) => p === 0) ? 0 : bp * Math.exp(precisions.reduce((a, p) => a + Math.log(p), 0) / maxN);
  return { bleu, precisions, brevity_penalty: bp, hypothesis_length: c, reference_length: r };
}
